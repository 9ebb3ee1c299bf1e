import { createHash } from 'node:crypto';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { httpClient, proxy } from '../src/http.js';
import { app } from './hono-app.js';
import { listenHono, listenNode as listenServer } from './listen.js';

// 100 MB each way through the proxy on real sockets (issue 18 §5). The bound is on live
// memory: the test forces a GC at every sample, so what it reads is what something still holds
// (a buffered body would show as ~100 MB), not garbage the collector has not reached yet. The
// RSS figures of the gateway process are in the bench (§8).

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const TOTAL = 100 * 1000 * 1000;
const LIVE_BOUND = 32 * 1024 * 1024;
const PATTERN = (() => {
  const b = Buffer.alloc(64 * 1024);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
})();
const chunkAt = (sent: number) =>
  TOTAL - sent >= PATTERN.length ? PATTERN : PATTERN.subarray(0, TOTAL - sent);
const EXPECTED = (() => {
  const h = createHash('sha256');
  for (let sent = 0; sent < TOTAL; ) {
    const c = chunkAt(sent);
    h.update(c);
    sent += c.byteLength;
  }
  return h.digest('hex');
})();

/** Live ArrayBuffer memory after a full GC, sampled at most every 4 MB of progress. */
function liveMemory() {
  gc();
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  let next = 0;
  return {
    sample(progress: number) {
      if (progress < next) return;
      next = progress + 4 * 1024 * 1024;
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    },
    growth: () => peak - base,
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listenNode(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const upstream = await listenServer(handler);
  closers.push(upstream.close);
  return upstream.url;
}

async function listenGateway(upstreamUrl: string, maxBytes: number) {
  const client = httpClient({
    baseUrl: upstreamUrl,
    retry: false,
    attemptTimeoutMs: 60_000,
    totalTimeoutMs: 60_000,
    maxResponseBytes: maxBytes,
  });
  const hono = app();
  hono.all('/*', proxy(client, { maxRequestBytes: maxBytes }));
  const gateway = await listenHono(hono);
  closers.push(gateway.close);
  return gateway.port;
}

describe('proxy with 100 MB bodies', () => {
  it('forwards a 100 MB upload intact while holding less than 32 MiB of it', async () => {
    const memory = liveMemory();
    const upstreamUrl = await listenNode((req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.byteLength;
        hash.update(chunk);
        memory.sample(bytes);
      });
      req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
    });
    const port = await listenGateway(upstreamUrl, 200 * 1024 * 1024);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.setHeader('content-length', TOTAL);
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < TOTAL) {
          const chunk = chunkAt(sent);
          sent += chunk.byteLength;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ bytes: TOTAL, sha256: EXPECTED });
    expect(memory.growth()).toBeLessThan(LIVE_BOUND);
  }, 120_000);

  it('forwards a 100 MB download intact while holding less than 32 MiB of it', async () => {
    const memory = liveMemory();
    const upstreamUrl = await listenNode((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const pump = () => {
        while (sent < TOTAL) {
          const chunk = chunkAt(sent);
          sent += chunk.byteLength;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const port = await listenGateway(upstreamUrl, 200 * 1024 * 1024);
    const got = await new Promise<{ bytes: number; sha256: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/download', agent: false }, (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (d: Buffer) => {
          bytes += d.byteLength;
          hash.update(d);
          memory.sample(bytes);
        });
        res.on('end', () => resolve({ bytes, sha256: hash.digest('hex') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    expect(got).toEqual({ bytes: TOTAL, sha256: EXPECTED });
    expect(memory.growth()).toBeLessThan(LIVE_BOUND);
  }, 120_000);

  it('answers 413 problem+json while a chunked upload is still being sent, and aborts the upstream request', async () => {
    let upstreamBytes = 0;
    let upstreamEnded = false;
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const upstreamUrl = await listenNode((req, res) => {
      req.on('data', (chunk: Buffer) => (upstreamBytes += chunk.byteLength));
      req.on('end', () => {
        upstreamEnded = true;
        res.end('complete');
      });
      req.on('close', () => upstreamClosed());
    });
    const limit = 1024 * 1024;
    const port = await listenGateway(upstreamUrl, limit);
    const socket = connect(port, '127.0.0.1');
    closers.push(async () => void socket.destroy());
    let answer = '';
    const answered = new Promise<void>((resolve) =>
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
        if (answer.includes('\r\n\r\n')) resolve();
      }),
    );
    socket.on('error', () => {}); // the gateway may close while we still write: expected
    socket.write('POST /upload HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\n\r\n');
    // Writes 64 KiB chunks until the answer arrives (or the 100 MB are all sent).
    let sent = 0;
    let done = false;
    void answered.then(() => (done = true));
    while (!done && sent < TOTAL && !socket.destroyed) {
      const chunk = chunkAt(sent);
      sent += chunk.byteLength;
      socket.write(`${chunk.byteLength.toString(16)}\r\n`);
      socket.write(chunk);
      if (!socket.write('\r\n'))
        await Promise.race([new Promise((r) => socket.once('drain', r)), answered]);
    }
    await answered;
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.toLowerCase()).toContain('content-type: application/problem+json');
    expect(sent).toBeLessThan(TOTAL); // answered while the client was still sending
    await closed; // the upstream request was torn down ...
    expect(upstreamEnded).toBe(false); // ... without ever receiving a complete body
    expect(upstreamBytes).toBeLessThanOrEqual(limit);
  }, 60_000);
});
