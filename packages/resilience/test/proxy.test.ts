import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpClient, proxy, stripHopByHop } from '../src/http.js';
import { app } from './hono-app.js';
import { faults, startUpstream, type Upstream } from './upstream.js';

let upstream: Upstream;
beforeEach(async () => {
  upstream = await startUpstream(faults.json({ ok: true }));
});
afterEach(async () => {
  await upstream.close();
});

function gateway(
  options: Parameters<typeof proxy>[1] = { stripPrefix: '/api/catalog' },
  clientOptions: Parameters<typeof httpClient>[0] = {},
  vars: Parameters<typeof app>[0] = {},
) {
  const client = httpClient({ baseUrl: upstream.url, name: 'catalog', ...clientOptions });
  const hono = app(vars);
  hono.all('/api/catalog/*', proxy(client, options));
  return { hono, client };
}

describe('proxy', () => {
  it('forwards method, rewritten path, query and body', async () => {
    const { hono } = gateway({ stripPrefix: '/api/catalog', prefix: '/v1' });
    const res = await hono.request('/api/catalog/products/p1?view=full&x=1', {
      method: 'PUT',
      body: '{"name":"tea"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(upstream.requests[0]).toMatchObject({
      method: 'PUT',
      url: '/v1/products/p1?view=full&x=1',
      body: '{"name":"tea"}',
    });
    expect(upstream.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('strips the prefix only at a path segment boundary', async () => {
    const client = httpClient({ baseUrl: upstream.url });
    const hono = app();
    hono.all('/api/*', proxy(client, { stripPrefix: '/api/catalog' }));
    await hono.request('/api/catalogue/x');
    await hono.request('/api/catalog');
    expect(upstream.requests.map((r) => r.url)).toEqual(['/api/catalogue/x', '/']);
  });

  it('strips hop-by-hop request headers, including those named by Connection', async () => {
    const { hono } = gateway();
    await hono.request('/api/catalog/x', {
      headers: {
        connection: 'keep-alive, x-hop',
        'x-hop': 'secret',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        trailer: 'x-t',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic abc',
        'proxy-foo': '1',
        authorization: 'Bearer t',
        'x-kept': 'yes',
      },
    });
    const headers = upstream.requests[0]?.headers ?? {};
    for (const name of [
      'x-hop',
      'keep-alive',
      'te',
      'trailer',
      'upgrade',
      'proxy-authorization',
      'proxy-foo',
    ]) {
      expect(headers[name], name).toBeUndefined();
    }
    expect(headers.authorization).toBe('Bearer t');
    expect(headers['x-kept']).toBe('yes');
  });

  it('propagates the request id and the remaining deadline', async () => {
    const { hono } = gateway(
      undefined,
      { propagateDeadline: true },
      { requestId: 'req-42', deadline: Date.now() + 900 },
    );
    await hono.request('/api/catalog/x');
    const headers = upstream.requests[0]?.headers ?? {};
    expect(headers['x-request-id']).toBe('req-42');
    expect(Number(headers['x-deadline-ms'])).toBeGreaterThan(0);
    expect(Number(headers['x-deadline-ms'])).toBeLessThanOrEqual(900);
    expect(headers['x-forwarded-host']).toBe('localhost');
  });

  it('propagates trace context through the client interceptors', async () => {
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const { hono } = gateway(undefined, {
      interceptors: [
        (request, next) => {
          request.headers.set('traceparent', traceparent);
          return next(request);
        },
      ],
    });
    await hono.request('/api/catalog/x', {
      headers: { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` },
    });
    expect(upstream.requests[0]?.headers.traceparent).toBe(traceparent);
  });

  it('passes an upstream 404 through unchanged', async () => {
    upstream.handle(
      faults.status(404, { 'content-type': 'application/problem+json' }, '{"status":404}'),
    );
    const { hono } = gateway();
    const res = await hono.request('/api/catalog/missing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    await expect(res.json()).resolves.toEqual({ status: 404 });
  });

  it('returns a decoded body without a stale Content-Encoding', async () => {
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
      res.end(gzipSync('hello'));
    });
    const { hono } = gateway();
    const res = await hono.request('/api/catalog/x');
    expect(res.headers.get('content-encoding')).toBeNull();
    await expect(res.text()).resolves.toBe('hello');
  });

  it('answers 502 problem+json when the upstream resets the connection', async () => {
    upstream.handle(faults.reset);
    const { hono } = gateway(undefined, { retry: { baseDelayMs: 0 } });
    const res = await hono.request('/api/catalog/x');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 504 when the upstream hangs past the attempt timeout', async () => {
    upstream.handle(faults.hang);
    const { hono } = gateway(undefined, { attemptTimeoutMs: 50, retry: false });
    const res = await hono.request('/api/catalog/x');
    expect(res.status).toBe(504);
  });

  it('answers a fast 503 with Retry-After once the breaker is open', async () => {
    upstream.handle(faults.status(500));
    const { hono } = gateway(undefined, {
      retry: false,
      breaker: { minimumCalls: 2, resetTimeoutMs: 30_000 },
    });
    await hono.request('/api/catalog/x');
    await hono.request('/api/catalog/x');
    const res = await hono.request('/api/catalog/x');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(upstream.requests.length).toBe(2);
  });

  it('answers 413 for a request body over maxRequestBytes, without calling upstream', async () => {
    const { hono } = gateway({ stripPrefix: '/api/catalog', maxRequestBytes: 10 });
    const res = await hono.request('/api/catalog/x', { method: 'POST', body: 'x'.repeat(100) });
    expect(res.status).toBe(413);
    expect(upstream.requests.length).toBe(0);
  });

  it('answers 400, not 500, when the request body stream breaks', async () => {
    const { hono } = gateway();
    const broken = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('partial'));
        controller.error(new Error('client went away'));
      },
    });
    const res = await hono.request('/api/catalog/x', {
      method: 'POST',
      body: broken,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(400);
    expect(upstream.requests.length).toBe(0);
  });

  it('answers 502 for an upstream response that declares more than maxResponseBytes', async () => {
    upstream.handle(faults.status(200, { 'content-length': '5000' }, 'x'.repeat(5_000)));
    const { hono } = gateway(undefined, { maxResponseBytes: 1_000, retry: false });
    const res = await hono.request('/api/catalog/x');
    expect(res.status).toBe(502);
  });

  it('retries a POST with a small body only when it carries an Idempotency-Key', async () => {
    upstream.handle(faults.status(503));
    const { hono } = gateway(undefined, { retry: { baseDelayMs: 0 }, breaker: false });
    // Over a socket a body of known size has Content-Length; app.request() leaves it to us.
    const small = { method: 'POST', body: '{}', headers: { 'content-length': '2' } };
    await hono.request('/api/catalog/orders', small);
    expect(upstream.requests.length).toBe(1);
    await hono.request('/api/catalog/orders', {
      ...small,
      headers: { ...small.headers, 'idempotency-key': 'k' },
    });
    expect(upstream.requests.length).toBe(4);
  });

  it('never retries a streamed (chunked) request body, Idempotency-Key or not', async () => {
    upstream.handle(faults.status(503));
    const { hono } = gateway(undefined, { retry: { baseDelayMs: 0 }, breaker: false });
    await hono.request('/api/catalog/orders', {
      method: 'POST',
      body: new Blob(['{}']).stream(),
      duplex: 'half',
      headers: { 'idempotency-key': 'k' },
    } as RequestInit);
    expect(upstream.requests.length).toBe(1);
  });

  it('strips hop-by-hop response headers', async () => {
    upstream.handle((_req, res) => {
      res.writeHead(200, { connection: 'x-internal', 'x-internal': '1', 'x-public': '2' });
      res.end('ok');
    });
    const { hono } = gateway();
    const res = await hono.request('/api/catalog/x');
    expect(res.headers.get('x-internal')).toBeNull();
    expect(res.headers.get('x-public')).toBe('2');
  });

  it('keeps the headers that middleware set before it (rate-limit headers, request id)', async () => {
    const client = httpClient({ baseUrl: upstream.url });
    const hono = app();
    hono.use('/api/*', async (c, next) => {
      c.header('RateLimit-Policy', '"gateway";q=100;w=60');
      await next();
    });
    hono.all('/api/catalog/*', proxy(client, { stripPrefix: '/api/catalog' }));
    const res = await hono.request('/api/catalog/x');
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"gateway";q=100;w=60');
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('stripHopByHop', () => {
  it('removes every Proxy-* header', () => {
    const h = stripHopByHop(new Headers({ 'proxy-a': '1', 'Proxy-B': '2', accept: '*/*' }));
    expect([...h.keys()]).toEqual(['accept']);
  });
});
