import type { FetchInterceptor } from '@milkyway/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  httpClient,
  ResponseTooLargeError,
  ResponseValidationError,
  UpstreamConnectionError,
  UpstreamResponseError,
} from '../src/http.js';
import { BrokenCircuitError, DeadlineExceededError } from '../src/index.js';
import { faults, startUpstream, type Upstream } from './upstream.js';

let upstream: Upstream;
beforeEach(async () => {
  upstream = await startUpstream();
});
afterEach(async () => {
  await upstream.close();
});

const fast = { baseDelayMs: 0, maxDelayMs: 0 };

describe('httpClient', () => {
  it('resolves relative paths against the base URL and returns typed, validated JSON', async () => {
    upstream.handle(faults.json({ id: 'p1', priceCents: 250 }));
    const client = httpClient({ baseUrl: upstream.url });
    const Product = z.object({ id: z.string(), priceCents: z.number().int() });
    const product = await client.json('/products/p1', { schema: Product, query: { view: 'full' } });
    expect(product).toEqual({ id: 'p1', priceCents: 250 });
    expect(upstream.requests[0]?.url).toBe('/products/p1?view=full');
  });

  it('fails with ResponseValidationError when the body does not match the schema', async () => {
    upstream.handle(faults.json({ id: 42 }));
    const client = httpClient({ baseUrl: upstream.url });
    const error = await client
      .json('/x', { schema: z.object({ id: z.string() }) })
      .catch((e: unknown) => e);
    expect(ResponseValidationError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 502 });
  });

  it('validates with a Standard Schema when the schema has no parse method', async () => {
    upstream.handle(faults.json({ n: 1 }));
    const client = httpClient({ baseUrl: upstream.url });
    const schema = {
      '~standard': {
        validate: (v: unknown) =>
          typeof (v as { n?: unknown }).n === 'number'
            ? { value: v as { n: number } }
            : { issues: [{ message: 'n must be a number' }] },
      },
    };
    await expect(client.json('/x', { schema })).resolves.toEqual({ n: 1 });
    upstream.handle(faults.json({ n: 'one' }));
    await expect(client.json('/x', { schema })).rejects.toBeInstanceOf(ResponseValidationError);
  });

  it('surfaces a non-2xx answer as UpstreamResponseError carrying both statuses', async () => {
    upstream.handle(faults.status(404, { 'content-type': 'application/json' }, '{"title":"nope"}'));
    const client = httpClient({ baseUrl: upstream.url });
    const error = (await client.json('/missing').catch((e: unknown) => e)) as UpstreamResponseError;
    expect(UpstreamResponseError.is(error)).toBe(true);
    expect(error.status).toBe(502);
    expect(error.upstreamStatus).toBe(404);
    await expect(error.response.json()).resolves.toEqual({ title: 'nope' });
  });

  it('retries an idempotent request after a 503 and succeeds', async () => {
    let calls = 0;
    upstream.handle((req, res, body) => {
      calls++;
      if (calls === 1) return faults.status(503)(req, res, body);
      return faults.json({ ok: true })(req, res, body);
    });
    const client = httpClient({ baseUrl: upstream.url, retry: fast });
    await expect(client.json('/x')).resolves.toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('retries after a connection reset', async () => {
    let calls = 0;
    upstream.handle((req, res, body) => {
      calls++;
      if (calls === 1) return faults.reset(req, res, body);
      return faults.json({ ok: true })(req, res, body);
    });
    const client = httpClient({ baseUrl: upstream.url, retry: fast });
    await expect(client.json('/x')).resolves.toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('reports a connection failure that persists as UpstreamConnectionError (502)', async () => {
    upstream.handle(faults.reset);
    const client = httpClient({ baseUrl: upstream.url, retry: fast, breaker: false });
    const error = await client.json('/x').catch((e: unknown) => e);
    expect(UpstreamConnectionError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 502 });
    expect(upstream.requests.length).toBe(3);
  });

  it('does not retry a POST without an Idempotency-Key', async () => {
    upstream.handle(faults.status(503));
    const client = httpClient({ baseUrl: upstream.url, retry: fast, breaker: false });
    await client.send('/orders', { method: 'POST', json: { a: 1 } }).catch(() => {});
    expect(upstream.requests.length).toBe(1);
  });

  it('retries a POST that carries an Idempotency-Key, replaying the same body', async () => {
    upstream.handle(faults.status(503));
    const client = httpClient({ baseUrl: upstream.url, retry: fast, breaker: false });
    await client
      .send('/orders', { method: 'POST', json: { a: 1 }, headers: { 'Idempotency-Key': 'k1' } })
      .catch(() => {});
    expect(upstream.requests.map((r) => r.body)).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
  });

  it('times out an attempt against a hanging server with a 504 DeadlineExceededError', async () => {
    upstream.handle(faults.hang);
    const client = httpClient({
      baseUrl: upstream.url,
      attemptTimeoutMs: 50,
      retry: false,
      breaker: false,
    });
    const error = await client.json('/x').catch((e: unknown) => e);
    expect(DeadlineExceededError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 504 });
  });

  it('sends the remaining deadline as x-deadline-ms to its trusted base URL', async () => {
    const client = httpClient({ baseUrl: upstream.url, propagateDeadline: true });
    await client.send('/x', { deadline: Date.now() + 1_500 });
    const header = Number(upstream.requests[0]?.headers['x-deadline-ms']);
    expect(header).toBeGreaterThan(1_000);
    expect(header).toBeLessThanOrEqual(1_500);
  });

  it('sends no deadline header unless told which upstreams to trust with it', async () => {
    const client = httpClient({ baseUrl: upstream.url });
    await client.send('/x', { deadline: Date.now() + 1_500 });
    expect(upstream.requests[0]?.headers['x-deadline-ms']).toBeUndefined();
  });

  it('sends no deadline header to an absolute URL outside its trusted base URL', async () => {
    const thirdParty = await startUpstream();
    try {
      const client = httpClient({ baseUrl: upstream.url, propagateDeadline: true });
      await client.send(`${thirdParty.url}/webhook`, { deadline: Date.now() + 1_500 });
      expect(thirdParty.requests[0]?.headers['x-deadline-ms']).toBeUndefined();
    } finally {
      await thirdParty.close();
    }
  });

  it('sends the deadline header to every origin listed as trusted, and only to those', async () => {
    const other = await startUpstream();
    try {
      const client = httpClient({ propagateDeadline: [`${other.url}/ignored-path`] });
      await client.send(`${other.url}/a`, { deadline: Date.now() + 1_500 });
      await client.send(`${upstream.url}/b`, { deadline: Date.now() + 1_500 });
      expect(Number(other.requests[0]?.headers['x-deadline-ms'])).toBeGreaterThan(0);
      expect(upstream.requests[0]?.headers['x-deadline-ms']).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('refuses propagateDeadline: true without a base URL to trust', () => {
    expect(() => httpClient({ propagateDeadline: true })).toThrow(/needs a baseUrl/);
  });

  it('fails at once when the deadline has already passed, without calling upstream', async () => {
    const client = httpClient({ baseUrl: upstream.url });
    const error = await client.send('/x', { deadline: Date.now() - 1 }).catch((e: unknown) => e);
    expect(DeadlineExceededError.is(error)).toBe(true);
    expect(upstream.requests.length).toBe(0);
  });

  it("reports the caller's cancellation as the caller's reason, not a timeout", async () => {
    upstream.handle(faults.hang);
    const client = httpClient({ baseUrl: upstream.url, attemptTimeoutMs: 5_000 });
    const controller = new AbortController();
    const call = client.send('/x', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('client left')), 20);
    await expect(call).rejects.toThrow('client left');
    expect(client.breakerFor(upstream.host)?.state).toBe('closed');
  });

  it('opens the per-host breaker after repeated 5xx and then fails fast with 503', async () => {
    upstream.handle(faults.status(500));
    const client = httpClient({
      baseUrl: upstream.url,
      retry: false,
      breaker: { minimumCalls: 3, resetTimeoutMs: 60_000 },
    });
    for (let i = 0; i < 3; i++) await client.send('/x').catch(() => {});
    const error = await client.send('/x').catch((e: unknown) => e);
    expect(BrokenCircuitError.is(error)).toBe(true);
    expect(upstream.requests.length).toBe(3);
    expect(client.breakerFor(upstream.host)?.state).toBe('open');
  });

  it('does not count 4xx answers against the breaker', async () => {
    upstream.handle(faults.status(404));
    const client = httpClient({ baseUrl: upstream.url, breaker: { minimumCalls: 2 } });
    for (let i = 0; i < 5; i++) await client.send('/x').catch(() => {});
    expect(client.breakerFor(upstream.host)?.state).toBe('closed');
  });

  it('honours Retry-After from a 429 before retrying', async () => {
    let calls = 0;
    upstream.handle((req, res, body) => {
      calls++;
      if (calls === 1) return faults.status(429, { 'retry-after': '0' })(req, res, body);
      return faults.json({ ok: 1 })(req, res, body);
    });
    const client = httpClient({ baseUrl: upstream.url, retry: fast });
    await expect(client.json('/x')).resolves.toEqual({ ok: 1 });
  });

  it('gives up instead of waiting when Retry-After exceeds the cap', async () => {
    upstream.handle(faults.status(503, { 'retry-after': '120' }));
    const client = httpClient({
      baseUrl: upstream.url,
      retry: { ...fast, maxRetryAfterMs: 1_000 },
    });
    const error = (await client.send('/x').catch((e: unknown) => e)) as UpstreamResponseError;
    expect(error.upstreamStatus).toBe(503);
    expect(error.retryAfterMs).toBe(120_000);
    expect(upstream.requests.length).toBe(1);
  });

  it('rejects a response larger than maxResponseBytes', async () => {
    upstream.handle(faults.status(200, {}, 'x'.repeat(2_000)));
    const client = httpClient({ baseUrl: upstream.url, maxResponseBytes: 1_000, retry: false });
    const error = await client.send('/big').catch((e: unknown) => e);
    expect(ResponseTooLargeError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 502 });
  });

  it('runs interceptors on every attempt with the attempt number', async () => {
    let calls = 0;
    upstream.handle((req, res, body) => {
      calls++;
      if (calls < 3) return faults.status(503)(req, res, body);
      return faults.json({})(req, res, body);
    });
    const seen: number[] = [];
    const tag: FetchInterceptor = (request, next, { attempt }) => {
      seen.push(attempt);
      request.headers.set('traceparent', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`);
      return next(request);
    };
    const client = httpClient({ baseUrl: upstream.url, retry: fast, interceptors: [tag] });
    await client.json('/x');
    expect(seen).toEqual([0, 1, 2]);
    expect(upstream.requests.every((r) => r.headers.traceparent !== undefined)).toBe(true);
  });

  it('returns non-2xx responses from fetch (the contract hc relies on)', async () => {
    upstream.handle(faults.status(503, {}, 'down'));
    const client = httpClient({ baseUrl: upstream.url, retry: fast, breaker: false });
    const response = await client.fetch(`${upstream.url}/x`);
    expect(response.status).toBe(503);
    await expect(response.text()).resolves.toBe('down');
  });

  it('binds a signal and deadline with with()', async () => {
    const client = httpClient({ baseUrl: upstream.url, propagateDeadline: true });
    const bound = client.with({ deadline: Date.now() + 800, headers: { 'x-request-id': 'r1' } });
    await bound.fetch('/x');
    expect(Number(upstream.requests[0]?.headers['x-deadline-ms'])).toBeLessThanOrEqual(800);
    expect(upstream.requests[0]?.headers['x-request-id']).toBe('r1');
  });
});
