import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createService, HttpError, type ServiceOptions, silentLogger } from '../src/index.js';
import {
  bounded,
  hasResponses,
  openRaw,
  parseResponses,
  type RawConnection,
} from './raw-socket.js';

const LIMIT = 1024 * 1024;
let running: { close(): Promise<void> } | undefined;
const open: RawConnection[] = [];

afterEach(async () => {
  for (const connection of open.splice(0)) connection.destroy();
  await running?.close();
  running = undefined;
});

/** A service with a 1 MiB body limit, an upload route that reads its body, and a guarded one. */
async function start(server: ServiceOptions['server'] = {}) {
  const service = createService({
    name: 't',
    version: '0',
    logger: silentLogger,
    bodyLimit: LIMIT,
    server,
    shutdownTimeoutMs: 1_000,
  });
  running = service;
  const served: string[] = [];
  service.use(async (c, next) => {
    served.push(`${c.req.method} ${c.req.path}`);
    await next();
  });
  service.get('/hello', (c) => c.text('hello'));
  service.post('/upload', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
  service.post('/guarded', () => {
    throw new HttpError(401, 'A token is required.');
  });
  const info = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
  return { ...info, served };
}

async function connectTo(port: number) {
  const connection = await openRaw(port);
  open.push(connection);
  return connection;
}

/** Sends `total` bytes of body in 16 KiB pieces; stops early (returns false) if the server closed. */
async function sendBody(connection: RawConnection, total: number, chunked = false) {
  const piece = 'x'.repeat(16 * 1024);
  for (let sent = 0; sent < total; sent += piece.length) {
    const data = chunked ? `${piece.length.toString(16)}\r\n${piece}\r\n` : piece;
    if (!(await connection.write(data))) return false;
  }
  return connection.write(chunked ? '0\r\n\r\n' : '');
}

describe('an answer sent before the whole request body arrived', () => {
  it('reaches the client of an oversized Content-Length upload, with Connection: close', async () => {
    const { port } = await start();
    const connection = await connectTo(port);
    const size = 4 * 1024 * 1024;
    await connection.write(
      `POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`,
    );
    const sent = await sendBody(connection, size);
    connection.end();
    const ending = await connection.ended();
    const [answer] = parseResponses(ending.received);
    expect(answer?.status).toBe(413);
    expect(answer?.headers['content-type']).toBe('application/problem+json');
    expect(answer?.headers.connection).toBe('close');
    expect(JSON.parse(answer?.body ?? '')).toMatchObject({ status: 413 });
    // The server read the whole body before closing: the client could send all of it.
    expect(sent).toBe(true);
    expect(ending.how).toBe('end');
  });

  it('reaches the client of an oversized chunked upload, with Connection: close', async () => {
    const { port } = await start();
    const connection = await connectTo(port);
    await connection.write(
      'POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    const sent = await sendBody(connection, 2 * 1024 * 1024, true);
    connection.end();
    const ending = await connection.ended();
    const [answer] = parseResponses(ending.received);
    expect(answer?.status).toBe(413);
    expect(answer?.headers.connection).toBe('close');
    expect(sent).toBe(true);
    expect(ending.how).toBe('end');
  });

  it('reaches the client of a refused upload (401 before the body was read)', async () => {
    const { port } = await start();
    const connection = await connectTo(port);
    await connection.write(
      'POST /guarded HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 600000\r\n\r\n',
    );
    // The answer comes before any byte of the body was sent.
    const text = await connection.waitFor('the 401 answer', hasResponses(1));
    expect(parseResponses(text)[0]).toMatchObject({
      status: 401,
      headers: { connection: 'close' },
    });
    // The server keeps reading the body it will never use, so the client can send all of it.
    expect(await sendBody(connection, 600_000)).toBe(true);
    connection.end();
    expect((await connection.ended()).how).toBe('end');
  });

  it('never serves a request pipelined behind it: the connection closes after the answer', async () => {
    const { port, served } = await start();
    const connection = await connectTo(port);
    await connection.write('POST /guarded HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n');
    await connection.waitFor('the 401 answer', hasResponses(1));
    await connection.write('hello' + 'GET /hello HTTP/1.1\r\nHost: t\r\n\r\n');
    connection.end();
    const ending = await connection.ended();
    expect(parseResponses(ending.received).map((r) => r.status)).toEqual([401]);
    expect(ending.how).toBe('end');
    expect(served).toEqual(['POST /guarded']);
  });

  it('never serves a request that arrives while the early answer is still being written', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    running = service;
    const served: string[] = [];
    let release: (() => void) | undefined;
    service.post('/stream', (c) => {
      served.push('POST /stream');
      // Headers now (the body is not read), the rest once the test says so.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('first,'));
          release = () => {
            controller.enqueue(new TextEncoder().encode('last'));
            controller.close();
          };
        },
      });
      return c.body(body, 200, { 'content-type': 'text/plain' });
    });
    service.get('/hello', (c) => {
      served.push('GET /hello');
      return c.text('hello');
    });
    const { port, server } = await service.listen({
      port: 0,
      hostname: '127.0.0.1',
      signals: false,
    });
    let requests = 0;
    const pipelinedParsed = new Promise<void>((resolve) =>
      server.on('request', () => {
        if (++requests === 2) resolve();
      }),
    );
    const connection = await connectTo(port);
    await connection.write('POST /stream HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n');
    await connection.waitFor('the streamed headers', (text) => text.includes('first,'));
    expect(connection.received()).toMatch(/\r\nconnection: close\r\n/i);
    await connection.write('helloGET /hello HTTP/1.1\r\nHost: t\r\n\r\n');
    await bounded(pipelinedParsed, 10_000, 'the server to parse the pipelined request');
    release?.();
    connection.end();
    const ending = await connection.ended();
    expect(ending.received).toContain('last');
    expect(ending.received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(served).toEqual(['POST /stream']);
  });

  it('is read by a Node http client that is still sending the body', async () => {
    const { url } = await start();
    const body = Buffer.alloc(2 * 1024 * 1024, 'x');
    const answer = await new Promise<{ status?: number; connection?: string; text: string }>(
      (resolve, reject) => {
        const req = httpRequest(`${url}/upload`, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
        });
        const timer = setTimeout(() => req.destroy(new Error('no answer in 10 s')), 10_000);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode, connection: res.headers.connection, text });
          });
        });
        req.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        req.end(body);
      },
    );
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe('close');
    expect(JSON.parse(answer.text)).toMatchObject({ status: 413 });
  });
});

describe('the lingering close', () => {
  it('stops reading after lingerMaxBytes and closes the connection', async () => {
    const { port } = await start({ lingerMaxBytes: 64 * 1024, lingerMs: 60_000 });
    const connection = await connectTo(port);
    await connection.write(
      `POST /guarded HTTP/1.1\r\nHost: t\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`,
    );
    await connection.waitFor('the 413 answer', hasResponses(1));
    // Far more than the bound: the server gives up reading long before this is sent.
    expect(await sendBody(connection, 100 * 1024 * 1024)).toBe(false);
    expect(parseResponses((await connection.ended()).received).map((r) => r.status)).toEqual([413]);
  });

  it('closes the connection after lingerMs when the client sends nothing more', async () => {
    const { port, server } = await start({ lingerMs: 50 });
    const serverSocketClosed = new Promise<void>((resolve) =>
      server.once('connection', (socket: Socket) => socket.once('close', () => resolve())),
    );
    const connection = await connectTo(port);
    await connection.write('POST /guarded HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n');
    await connection.waitFor('the 401 answer', hasResponses(1));
    // The client keeps its side open and silent: the server closes its socket anyway.
    await bounded(serverSocketClosed, 10_000, 'the server to close the lingering connection');
    expect(parseResponses(connection.received()).map((r) => r.status)).toEqual([401]);
  });
});

describe('an answer sent after the whole body was read', () => {
  it('keeps the connection alive for the next request', async () => {
    const { port } = await start();
    const connection = await connectTo(port);
    await connection.write(
      'POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhelloGET /hello HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const text = await connection.waitFor('both answers', hasResponses(2));
    const [upload, hello] = parseResponses(text);
    expect(upload).toMatchObject({ status: 200, headers: { connection: 'keep-alive' } });
    expect(JSON.parse(upload?.body ?? '')).toEqual({ bytes: 5 });
    expect(hello).toMatchObject({ status: 200, body: 'hello' });
  });
});
