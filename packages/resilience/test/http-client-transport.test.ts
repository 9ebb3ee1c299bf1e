import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { FetchInterceptor } from '@milkyway/protocol';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { httpClient, ResponseTooLargeError } from '../src/http.js';
import { faults, startUpstream, type Upstream } from './upstream.js';

// The client's default transport in Node is undici's `request` (not fetch): what a caller sees
// stays fetch's (Response objects, decoded bodies, the content types fetch gives bodies).

let upstream: Upstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const encoded = (coding: string, body: Buffer) =>
  faults.status(
    200,
    { 'content-type': 'application/json', 'content-encoding': coding },
    body as never,
  );

describe('the undici transport keeps fetch semantics', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('decodes a %s body as fetch does', async (coding, encode) => {
    upstream = await startUpstream(encoded(coding, encode(Buffer.from('{"ok":true}'))));
    const client = httpClient({ baseUrl: upstream.url });
    expect(await client.json('/x')).toEqual({ ok: true });
    const streamed = await client.request('/x', { stream: true });
    expect(await streamed.text()).toBe('{"ok":true}');
  });

  it('counts decoded bytes against maxResponseBytes', async () => {
    const big = gzipSync(Buffer.alloc(200_000, 'a'));
    upstream = await startUpstream(encoded('gzip', big));
    const client = httpClient({ baseUrl: upstream.url, maxResponseBytes: 100_000 });
    await expect(client.request('/x')).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('gives string, URLSearchParams and Blob bodies the content type fetch gives them', async () => {
    upstream = await startUpstream();
    const client = httpClient({ baseUrl: upstream.url });
    await client.request('/a', { method: 'POST', body: 'text' });
    await client.request('/b', { method: 'POST', body: new URLSearchParams({ q: '1' }) });
    await client.request('/c', { method: 'POST', body: new Blob(['x'], { type: 'image/png' }) });
    await client.request('/d', { method: 'POST', body: 'x', headers: { 'content-type': 'a/b' } });
    const types = upstream.requests.map((r) => r.headers['content-type']);
    expect(types).toEqual([
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded;charset=UTF-8',
      'image/png',
      'a/b',
    ]);
    expect(upstream.requests.map((r) => r.body)).toEqual(['text', 'q=1', 'x', 'x']);
    expect(upstream.requests[0]?.headers['content-length']).toBe('4');
  });

  it('sends FormData through fetch (its multipart encoding)', async () => {
    upstream = await startUpstream();
    const client = httpClient({ baseUrl: upstream.url });
    const form = new FormData();
    form.set('field', 'value');
    await client.request('/form', { method: 'POST', body: form });
    expect(upstream.requests[0]?.headers['content-type']).toMatch(
      /^multipart\/form-data; boundary=/,
    );
    expect(upstream.requests[0]?.body).toContain('value');
  });

  it('keeps repeated response headers (set-cookie) apart and gives the status text', async () => {
    upstream = await startUpstream((_req, res) => {
      res.statusMessage = 'Fine';
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end('ok');
    });
    const res = await httpClient({ baseUrl: upstream.url }).request('/x');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.statusText).toBe('Fine');
    expect(res.url).toBe(`${upstream.url}/x`);
  });

  it('goes through the dispatcher it is given', async () => {
    upstream = await startUpstream();
    const dispatcher = new Agent({ connections: 1 });
    let dispatched = 0;
    const counting = dispatcher.compose((dispatch) => (options, handler) => {
      dispatched++;
      return dispatch(options, handler);
    });
    const client = httpClient({ baseUrl: upstream.url, dispatcher: counting });
    await client.request('/a');
    await client.request('/b');
    expect(dispatched).toBe(2);
    await dispatcher.close();
  });

  it('hands interceptors a Request and sends theirs over the transport', async () => {
    upstream = await startUpstream(encoded('gzip', gzipSync(Buffer.from('{"n":1}'))));
    const seen: string[] = [];
    const tag: FetchInterceptor = (request, next) => {
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      const headers = new Headers(request.headers);
      headers.set('x-tag', 'on');
      return next(new Request(request, { headers }));
    };
    const client = httpClient({ baseUrl: upstream.url, interceptors: [tag] });
    expect(await client.json('/x', { method: 'PUT', json: { a: 1 } })).toEqual({ n: 1 });
    expect(seen).toEqual(['PUT /x']);
    expect(upstream.requests[0]?.headers['x-tag']).toBe('on');
    expect(upstream.requests[0]?.headers['content-length']).toBe('7');
    expect(upstream.requests[0]?.body).toBe('{"a":1}');
  });
});
