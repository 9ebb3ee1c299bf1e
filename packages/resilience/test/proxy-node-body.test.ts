import { createHash } from 'node:crypto';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpClient, proxy } from '../src/http.js';
import { app } from './hono-app.js';
import { listenHono, listenNode as listenServer } from './listen.js';
import { within } from './within.js';

// On @hono/node-server the proxy streams a request body straight from the Node request when
// nothing has read it yet (issue 18 §5): reading `c.req.raw.body` instead goes through
// `Readable.toWeb`, which copies every chunk. These tests pin when that path applies, that it
// still counts the bytes against maxRequestBytes, and that anything else still proxies the body
// `c.req.raw` carries.

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0).reverse()) await close();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An upstream that answers with the size and SHA-256 of the body it received. */
async function hashingUpstream() {
  const seen: Array<{ bytes: number; complete: boolean }> = [];
  const upstream = await listenServer((req: IncomingMessage, res: ServerResponse) => {
    const hash = createHash('sha256');
    let bytes = 0;
    const entry = { bytes: 0, complete: false };
    seen.push(entry);
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength;
      entry.bytes = bytes;
      hash.update(chunk);
    });
    req.on('end', () => {
      entry.complete = true;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
    });
  });
  closers.push(upstream.close);
  return { url: upstream.url, seen };
}

/** `bytes` through the gateway with a declared Content-Length, as a Node client sends them. */
function upload(port: number, bytes: Uint8Array): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/upload',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

function pattern(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * seed + (i >> 7)) & 0xff;
  return b;
}

describe('proxy, request body straight from the Node request', () => {
  it('forwards a large upload intact without copying it through Readable.toWeb', async () => {
    const toWeb = vi.spyOn(Readable, 'toWeb');
    const upstream = await hashingUpstream();
    const hono = app();
    hono.all('/*', proxy(httpClient({ baseUrl: upstream.url, retry: false })));
    const gateway = await listenHono(hono);
    closers.push(gateway.close);
    const body = pattern(1_000_000, 31);
    const answer = await within(upload(gateway.port, body), 'the upload was not answered');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ bytes: body.length, sha256: sha256(body) });
    expect(toWeb).not.toHaveBeenCalled();
  });

  it('reads the Fetch body instead once a middleware has asked for the Fetch request', async () => {
    const toWeb = vi.spyOn(Readable, 'toWeb');
    const upstream = await hashingUpstream();
    const hono = app();
    hono.use(async (c, next) => {
      // Building the Fetch request starts @hono/node-server's body stream on the Node request.
      void c.req.raw.signal;
      await next();
    });
    hono.all('/*', proxy(httpClient({ baseUrl: upstream.url, retry: false })));
    const gateway = await listenHono(hono);
    closers.push(gateway.close);
    const body = pattern(300_000, 17);
    const answer = await within(upload(gateway.port, body), 'the upload was not answered');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ bytes: body.length, sha256: sha256(body) });
    expect(toWeb).toHaveBeenCalled();
  });

  it("proxies a re-dispatched request's own body, not the Node request's", async () => {
    const upstream = await hashingUpstream();
    const inner = app();
    inner.all('/*', proxy(httpClient({ baseUrl: upstream.url, retry: false })));
    const replacement = pattern(200_000, 7);
    const outer = app();
    // Same env (c.env.incoming is the client's request), another Request with its own body.
    outer.all('/*', (c) =>
      inner.fetch(
        new Request(c.req.url, {
          method: 'POST',
          headers: { 'content-length': String(replacement.length) },
          body: replacement,
        }),
        c.env,
      ),
    );
    const gateway = await listenHono(outer);
    closers.push(gateway.close);
    const original = pattern(200_000, 3);
    const answer = await within(upload(gateway.port, original), 'the upload was not answered');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      bytes: replacement.length,
      sha256: sha256(replacement),
    });
  });

  it('answers 413 problem+json when a chunked upload passes maxRequestBytes on the way', async () => {
    const toWeb = vi.spyOn(Readable, 'toWeb');
    const upstream = await hashingUpstream();
    const hono = app();
    hono.all(
      '/*',
      proxy(httpClient({ baseUrl: upstream.url, retry: false }), { maxRequestBytes: 1_000 }),
    );
    const gateway = await listenHono(hono);
    closers.push(gateway.close);
    const socket = connect(gateway.port, '127.0.0.1');
    closers.push(async () => void socket.destroy());
    socket.on('error', () => {});
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const answered = new Promise<void>((resolve) => {
      socket.on('data', () => {
        if (answer.includes('\r\n\r\n{')) resolve();
      });
    });
    socket.write(
      'POST /upload HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
    );
    const chunk = `190\r\n${'z'.repeat(400)}\r\n`; // 400 bytes a chunk
    for (let i = 0; i < 10; i++) socket.write(chunk);
    socket.write('0\r\n\r\n');
    await within(answered, 'no answer to the oversized chunked upload');
    expect(answer).toMatch(/^HTTP\/1.1 413/);
    expect(answer.toLowerCase()).toContain('content-type: application/problem+json');
    // Counted as the bytes passed: the upstream never got more than the limit, nor a whole body.
    expect(upstream.seen.every((s) => s.bytes <= 1_000 && !s.complete)).toBe(true);
    expect(toWeb).not.toHaveBeenCalled();
  });

  it('forwards a large upload through client interceptors too', async () => {
    const upstream = await hashingUpstream();
    const seen: string[] = [];
    const client = httpClient({
      baseUrl: upstream.url,
      retry: false,
      interceptors: [
        (req, next) => {
          seen.push(req.method);
          return next(req);
        },
      ],
    });
    const hono = app();
    hono.all('/*', proxy(client));
    const gateway = await listenHono(hono);
    closers.push(gateway.close);
    const body = pattern(500_000, 13);
    const answer = await within(upload(gateway.port, body), 'the upload was not answered');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ bytes: body.length, sha256: sha256(body) });
    expect(seen).toEqual(['POST']);
  });

  it('tells the upstream the body broke off when the client goes away mid-upload', async () => {
    let upstreamClosed!: (state: { complete: boolean }) => void;
    const closed = new Promise<{ complete: boolean }>((resolve) => (upstreamClosed = resolve));
    let gotData!: () => void;
    const started = new Promise<void>((resolve) => (gotData = resolve));
    const upstream = await listenServer((req, res) => {
      req.once('data', () => gotData());
      req.resume();
      req.on('close', () => upstreamClosed({ complete: req.complete }));
      req.on('end', () => res.end('whole'));
    });
    closers.push(upstream.close);
    const hono = app();
    hono.all('/*', proxy(httpClient({ baseUrl: upstream.url, retry: false })));
    const gateway = await listenHono(hono);
    closers.push(gateway.close);
    const socket = connect(gateway.port, '127.0.0.1');
    socket.on('error', () => {});
    closers.push(async () => void socket.destroy());
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: gateway\r\nContent-Length: 1000000\r\n\r\n${'a'.repeat(100_000)}`,
    );
    await within(started, 'the upstream saw no body');
    socket.destroy();
    await expect(within(closed, 'the upstream request was left hanging')).resolves.toEqual({
      complete: false,
    });
  });
});
