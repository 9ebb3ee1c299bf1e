import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { createService, silentLogger } from '@milkyway/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpClient, proxy } from '../src/http.js';
import { listenNode } from './listen.js';

// The proxy inside a Milkyway service (issue 18 §5): core's body limit decides a declared
// Content-Length from the headers, so the proxy still finds the Node request unread and streams
// it without the Readable.toWeb copy; bodies over the service's limit still get core's 413.

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0).reverse()) await close();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function gateway(bodyLimit: number) {
  let calls = 0;
  const upstream = await listenNode((req, res) => {
    calls++;
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength;
      hash.update(chunk);
    });
    req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
  });
  closers.push(upstream.close);
  const service = createService({ name: 'gateway', version: '0', logger: silentLogger, bodyLimit });
  service.all(
    '/*',
    proxy(httpClient({ baseUrl: upstream.url, retry: false }), {
      maxRequestBytes: 64 * 1024 * 1024,
    }),
  );
  const { url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
  closers.push(() => service.close());
  return { url, port: Number(new URL(url).port), calls: () => calls };
}

function upload(url: string, body: Uint8Array, declared = body.length) {
  return new Promise<{ status: number; type: string | undefined; text: string }>(
    (resolve, reject) => {
      const req = request(`${url}/upload`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream', 'content-length': declared },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text }),
        );
      });
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe('proxy in a createService app', () => {
  it('streams a declared-length upload within the body limit straight from the Node request', async () => {
    const toWeb = vi.spyOn(Readable, 'toWeb');
    const gw = await gateway(2 * 1024 * 1024);
    const body = Buffer.alloc(1_500_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const answer = await upload(gw.url, body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ bytes: body.length, sha256: sha256(body) });
    expect(toWeb).not.toHaveBeenCalled();
  });

  it("refuses a declared Content-Length over the service's body limit with core's 413", async () => {
    const gw = await gateway(1_000);
    const answer = await upload(gw.url, Buffer.alloc(5_000));
    expect(answer.status).toBe(413);
    expect(answer.type).toBe('application/problem+json');
    expect(JSON.parse(answer.text)).toMatchObject({ status: 413 });
    expect(gw.calls()).toBe(0);
  });

  it("refuses a chunked upload over the service's body limit with core's 413", async () => {
    const gw = await gateway(1_000);
    const socket = connect(gw.port, '127.0.0.1');
    socket.on('error', () => {});
    closers.push(async () => void socket.destroy());
    let answer = '';
    const answered = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString();
        if (/\r\n\r\n\{.*\}/s.test(answer)) resolve();
      });
    });
    socket.write(
      'POST /upload HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
    );
    for (let i = 0; i < 10; i++) socket.write(`190\r\n${'z'.repeat(400)}\r\n`);
    socket.write('0\r\n\r\n');
    await answered;
    expect(answer).toMatch(/^HTTP\/1.1 413/);
    expect(answer.toLowerCase()).toContain('content-type: application/problem+json');
    expect(gw.calls()).toBe(0);
  });
});
