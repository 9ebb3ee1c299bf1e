import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpClient, proxy, ResponseTooLargeError } from '../src/http.js';
import { app } from './hono-app.js';
import { listenHono, listenNode as listenServer } from './listen.js';
import { within } from './within.js';

// The proxy streams bodies both ways (issue 18 §5): bytes pass as they arrive, counted against
// the size limits. Memory growth under a large body is measured in bench, not here.

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listenNode(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const upstream = await listenServer(handler);
  closers.push(upstream.close);
  return upstream.url;
}

async function listenGateway(upstreamUrl: string, maxRequestBytes?: number) {
  const client = httpClient({ baseUrl: upstreamUrl, retry: false });
  const hono = app();
  hono.all('/*', proxy(client, maxRequestBytes === undefined ? {} : { maxRequestBytes }));
  const gateway = await listenHono(hono);
  closers.push(gateway.close);
  return gateway.port;
}

describe('proxy streaming', () => {
  it('hands the upstream the first chunk of a request body before the client has sent the rest', async () => {
    let firstChunk!: (text: string) => void;
    const upstreamGotFirstChunk = new Promise<string>((resolve) => (firstChunk = resolve));
    const upstreamUrl = await listenNode((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        if (body === '') firstChunk(chunk.toString());
        body += chunk.toString();
      });
      req.on('end', () => res.end(`received ${body.length} bytes`));
    });
    const port = await listenGateway(upstreamUrl);
    const socket = connect(port, '127.0.0.1');
    closers.push(async () => void socket.destroy());
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    const answered = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.write(
      'POST /upload HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
        '5\r\nfirst\r\n',
    );
    await expect(
      within(upstreamGotFirstChunk, 'the upstream saw nothing while the client was still sending'),
    ).resolves.toBe('first');
    socket.write('6\r\nsecond\r\n0\r\n\r\n');
    await within(answered, 'no answer after the body was complete');
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    expect(answer).toContain('received 11 bytes');
  });

  it('hands the client the first chunk of a response before the upstream has sent the rest', async () => {
    let finish!: () => void;
    const rest = new Promise<void>((resolve) => (finish = resolve));
    const upstreamUrl = await listenNode((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first ');
      void rest.then(() => res.end('last'));
    });
    const port = await listenGateway(upstreamUrl);
    const res = await within(
      fetch(`http://127.0.0.1:${port}/download`),
      'the gateway did not answer before the upstream finished',
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await within(reader.read(), 'the first chunk did not arrive before the rest');
    expect(new TextDecoder().decode(first.value)).toBe('first ');
    finish();
    let tail = '';
    for (;;) {
      const { done, value } = await within(reader.read(), 'the rest never arrived');
      if (done) break;
      tail += new TextDecoder().decode(value);
    }
    expect(tail).toBe('last');
  });

  it('answers 413 when a chunked request body passes maxRequestBytes on the way', async () => {
    const upstreamUrl = await listenNode((req, res) => {
      req.resume();
      req.on('end', () => res.end('complete body received'));
    });
    const client = httpClient({ baseUrl: upstreamUrl, retry: false });
    const hono = app();
    hono.all('/*', proxy(client, { maxRequestBytes: 1_000 }));
    const chunks = Array.from({ length: 10 }, () => new Uint8Array(400));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    const res = await hono.request('/upload', {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(chunks.length).toBeGreaterThan(0); // it stopped reading once the limit was passed
  });

  it('cuts a streamed response off with ResponseTooLargeError once it passes maxResponseBytes', async () => {
    const upstreamUrl = await listenNode((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked: no length
      res.write(Buffer.alloc(600));
      res.end(Buffer.alloc(600));
    });
    const client = httpClient({ baseUrl: upstreamUrl, retry: false, maxResponseBytes: 1_000 });
    const res = await client.request('/big', { stream: true });
    expect(res.status).toBe(200);
    const error = await res.arrayBuffer().catch((e: unknown) => e);
    expect(
      ResponseTooLargeError.is(error) || ResponseTooLargeError.is((error as Error).cause),
    ).toBe(true);
  });

  it('still refuses a declared Content-Length over maxRequestBytes without calling upstream', async () => {
    let called = false;
    const upstreamUrl = await listenNode((_req, res) => {
      called = true;
      res.end();
    });
    const client = httpClient({ baseUrl: upstreamUrl, retry: false });
    const hono = app();
    hono.all('/*', proxy(client, { maxRequestBytes: 10 }));
    const res = await hono.request('/x', { method: 'POST', body: 'x'.repeat(100) });
    expect(res.status).toBe(413);
    expect(called).toBe(false);
  });
});
