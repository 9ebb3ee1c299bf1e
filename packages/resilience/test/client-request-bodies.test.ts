import { afterEach, describe, expect, it } from 'vitest';
import { httpClient, UpstreamConnectionError } from '../src/http.js';
import { faults, startUpstream, type Upstream } from './upstream.js';

// Which request bodies the client may send twice (issue 18 §5): a body that can only be read
// once (a ReadableStream, an async iterable, a large Request body) is never retried.

let upstream: Upstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const fastRetries = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

const streamOf = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(next));
    },
  });

describe('request bodies and retries', () => {
  it('retries an idempotent request whose body is a string', async () => {
    upstream = await startUpstream(faults.status(503));
    const client = httpClient({ baseUrl: upstream.url, retry: fastRetries, budget: false });
    const res = await client.request('/items/1', { method: 'PUT', body: 'payload' });
    expect(res.status).toBe(503);
    expect(upstream.requests.map((r) => r.body)).toEqual(['payload', 'payload', 'payload']);
  });

  it('sends a ReadableStream body once, even for an idempotent method', async () => {
    upstream = await startUpstream(faults.status(503));
    const client = httpClient({ baseUrl: upstream.url, retry: fastRetries, budget: false });
    const res = await client.request('/items/1', { method: 'PUT', body: streamOf('a', 'b') });
    expect(res.status).toBe(503);
    expect(upstream.requests.map((r) => r.body)).toEqual(['ab']);
  });

  it('sends an async iterable body once, streamed', async () => {
    upstream = await startUpstream(faults.status(503));
    const client = httpClient({ baseUrl: upstream.url, retry: fastRetries, budget: false });
    async function* parts() {
      yield new TextEncoder().encode('x');
      yield new TextEncoder().encode('y');
    }
    const res = await client.request('/items/1', {
      method: 'PUT',
      body: parts() as unknown as BodyInit,
    });
    expect(res.status).toBe(503);
    expect(upstream.requests.map((r) => r.body)).toEqual(['xy']);
  });

  it('reads a small Request body first, so the request can be retried', async () => {
    upstream = await startUpstream(faults.status(503));
    const client = httpClient({ baseUrl: upstream.url, retry: fastRetries, budget: false });
    const res = await client.fetch(
      new Request(`${upstream.url}/items/1`, { method: 'PUT', body: 'small' }),
    );
    expect(res.status).toBe(503);
    expect(upstream.requests).toHaveLength(3);
  });

  it('passes a Request body over 64 KiB on as a stream, sent once and intact', async () => {
    upstream = await startUpstream(faults.status(503));
    const client = httpClient({ baseUrl: upstream.url, retry: fastRetries, budget: false });
    const big = 'z'.repeat(40 * 1024);
    const request = new Request(`${upstream.url}/items/1`, {
      method: 'PUT',
      body: streamOf(big, big, 'tail'),
      duplex: 'half',
    } as RequestInit);
    const res = await client.fetch(request);
    expect(res.status).toBe(503);
    expect(upstream.requests.map((r) => r.body)).toEqual([`${big}${big}tail`]);
  });

  it('reads a small streamed Request body first, so the request can be retried', async () => {
    upstream = await startUpstream(faults.status(503));
    const client = httpClient({ baseUrl: upstream.url, retry: fastRetries, budget: false });
    const request = new Request(`${upstream.url}/items/1`, {
      method: 'PUT',
      body: streamOf('s1', 's2'),
      duplex: 'half',
    } as RequestInit);
    const res = await client.fetch(request);
    expect(res.status).toBe(503);
    expect(upstream.requests.map((r) => r.body)).toEqual(['s1s2', 's1s2', 's1s2']);
  });

  it('fails a streamed request answered by a redirect with UpstreamConnectionError', async () => {
    upstream = await startUpstream(faults.status(303, { location: '/elsewhere' }));
    const client = httpClient({ baseUrl: upstream.url, retry: false });
    const error = await client
      .request('/upload', { method: 'POST', body: streamOf('data') })
      .catch((e: unknown) => e);
    expect(UpstreamConnectionError.is(error)).toBe(true);
  });

  it('hands back a redirect answer to a buffered request', async () => {
    upstream = await startUpstream(faults.status(303, { location: '/elsewhere' }));
    const client = httpClient({ baseUrl: upstream.url, retry: false });
    const res = await client.request('/upload', { method: 'POST', body: 'data' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/elsewhere');
  });
});
