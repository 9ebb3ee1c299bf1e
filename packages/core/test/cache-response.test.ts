import { request as httpRequest } from 'node:http';
import type { Context } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { type Cache, createCache, type ResponseCacheOptions, responseCache } from '../src/index.js';
import { problemApp } from './contracts/problem-app.js';
import { manualClock, principalFromHeader } from './support.js';

function setup(
  options: Partial<ResponseCacheOptions> = {},
  handler?: (c: Context) => Response | Promise<Response>,
) {
  const t = manualClock();
  const cache: Cache = options.cache ?? createCache({ ttlMs: 60_000, clock: t.clock });
  const calls = vi.fn();
  const app = problemApp();
  app.use(principalFromHeader);
  app.get(
    '/items/:id',
    responseCache({ cache, clock: t.clock, ...options }),
    handler ??
      ((c) => {
        calls();
        return c.json({
          id: c.req.param('id'),
          lang: c.req.header('accept-language') ?? null,
          n: calls.mock.calls.length,
        });
      }),
  );
  app.post('/items/:id', responseCache({ cache }), (c) => {
    calls();
    return c.json({ posted: true });
  });
  return { app, calls, cache, ...t };
}

describe('responseCache', () => {
  it('serves the second GET from the cache', async () => {
    const { app, calls } = setup();
    const first = await app.request('/items/1');
    const second = await app.request('/items/1');
    expect(await second.json()).toEqual(await first.json());
    expect(calls).toHaveBeenCalledTimes(1);
    expect(second.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('answers HEAD from the entry GET stored, without a body', async () => {
    const { app, calls } = setup();
    await app.request('/items/1');
    const head = await app.request('/items/1', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('stores the full body on a HEAD miss for later GETs', async () => {
    const { app, calls } = setup();
    await app.request('/items/1', { method: 'HEAD' });
    const get = await app.request('/items/1');
    expect(await get.json()).toMatchObject({ id: '1' });
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('keys by path and by sorted query', async () => {
    const { app, calls } = setup();
    await app.request('/items/1?a=1&b=2');
    await app.request('/items/1?b=2&a=1');
    await app.request('/items/2?a=1&b=2');
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('keys by the Vary headers it was given and sends Vary', async () => {
    const { app, calls } = setup({ vary: ['Accept-Language'] });
    const en = await app.request('/items/1', { headers: { 'accept-language': 'en' } });
    const fr = await app.request('/items/1', { headers: { 'accept-language': 'fr' } });
    await app.request('/items/1', { headers: { 'accept-language': 'en' } });
    expect(calls).toHaveBeenCalledTimes(2);
    expect((await fr.json()).lang).toBe('fr');
    expect(en.headers.get('Vary')).toBe('accept-language');
  });

  it('sends an ETag and answers a matching If-None-Match with 304', async () => {
    const { app } = setup();
    const first = await app.request('/items/1');
    const etag = first.headers.get('ETag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const revalidated = await app.request('/items/1', { headers: { 'if-none-match': etag! } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('ETag')).toBe(etag);
    expect(await revalidated.text()).toBe('');
  });

  it('answers If-None-Match with 304 on a miss too', async () => {
    const { app } = setup();
    const etag = (await app.request('/items/1')).headers.get('ETag')!;
    const other = setup();
    const res = await other.app.request('/items/1', { headers: { 'if-none-match': `W/${etag}` } });
    expect(res.status).toBe(304);
  });

  it('emits Cache-Control max-age from the ttl and Age on hits', async () => {
    const { app, advance } = setup({ ttlMs: 30_000 });
    const first = await app.request('/items/1');
    expect(first.headers.get('Cache-Control')).toBe('public, max-age=30');
    advance(12_000);
    const hit = await app.request('/items/1');
    expect(hit.headers.get('Age')).toBe('12');
  });

  it('expires the entry after the ttl', async () => {
    const { app, calls, advance } = setup({ ttlMs: 30_000 });
    await app.request('/items/1');
    advance(30_001);
    await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('uses the handler’s s-maxage over max-age and over the default', async () => {
    const { app, calls, advance } = setup({ ttlMs: 60_000 }, (c) => {
      calls();
      return c.json({}, 200, { 'cache-control': 'public, max-age=100, s-maxage=5' });
    });
    await app.request('/items/1');
    advance(4_000);
    await app.request('/items/1');
    advance(2_000);
    await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it.each(['no-store', 'no-cache', 'private, max-age=60', 'max-age=0'])(
    'does not store a response with Cache-Control %s',
    async (cacheControl) => {
      const { app, calls } = setup({}, (c) => {
        calls();
        return c.json({}, 200, { 'cache-control': cacheControl });
      });
      await app.request('/items/1');
      await app.request('/items/1');
      expect(calls).toHaveBeenCalledTimes(2);
    },
  );

  it('neither reads nor stores for a request with Cache-Control no-store', async () => {
    const { app, calls } = setup();
    await app.request('/items/1', { headers: { 'cache-control': 'no-store' } });
    await app.request('/items/1');
    await app.request('/items/1', { headers: { 'cache-control': 'no-store' } });
    expect(calls).toHaveBeenCalledTimes(3);
  });

  it('revalidates for a request with Cache-Control no-cache and stores the new response', async () => {
    const { app, calls } = setup();
    await app.request('/items/1');
    const fresh = await app.request('/items/1', { headers: { 'cache-control': 'no-cache' } });
    const after = await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(2);
    expect((await after.json()).n).toBe((await fresh.json()).n);
  });

  it('never caches a request with Authorization unless the route opts in', async () => {
    const { app, calls } = setup();
    await app.request('/items/1', { headers: { authorization: 'Bearer a' } });
    await app.request('/items/1', { headers: { authorization: 'Bearer a' } });
    const anonymous = await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(3);
    expect(anonymous.status).toBe(200);
  });

  it('caches per principal when the route opts in, marked private', async () => {
    const { app, calls } = setup({ perPrincipal: true });
    const alice = await app.request('/items/1', {
      headers: { authorization: 'Bearer a', 'x-user': 'alice' },
    });
    await app.request('/items/1', { headers: { authorization: 'Bearer a', 'x-user': 'alice' } });
    await app.request('/items/1', { headers: { authorization: 'Bearer b', 'x-user': 'bob' } });
    expect(calls).toHaveBeenCalledTimes(2);
    expect(alice.headers.get('Cache-Control')).toMatch(/^private, /);
  });

  it('does not cache an Authorization request without a principal even when opted in', async () => {
    const { app, calls } = setup({ perPrincipal: true });
    await app.request('/items/1', { headers: { authorization: 'Bearer forged' } });
    await app.request('/items/1', { headers: { authorization: 'Bearer forged' } });
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('never caches errors unless told', async () => {
    const { app, calls } = setup({}, (c) => {
      calls();
      return c.json({ title: 'Not Found' }, 404);
    });
    await app.request('/items/1');
    await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('caches the statuses it is told to', async () => {
    const { app, calls } = setup({ statuses: [200, 404] }, (c) => {
      calls();
      return c.json({ title: 'Not Found' }, 404);
    });
    await app.request('/items/1');
    const second = await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(1);
    expect(second.status).toBe(404);
  });

  it('does not cache thrown errors', async () => {
    const { app, calls } = setup({}, () => {
      calls();
      throw Object.assign(new Error('down'), { status: 503 });
    });
    expect((await app.request('/items/1')).status).toBe(503);
    expect((await app.request('/items/1')).status).toBe(503);
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('does not store responses that set cookies', async () => {
    const { app, calls } = setup({}, (c) => {
      calls();
      c.header('set-cookie', 'session=1');
      return c.json({});
    });
    await app.request('/items/1');
    await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('passes other methods through', async () => {
    const { app, calls } = setup();
    await app.request('/items/1', { method: 'POST' });
    await app.request('/items/1', { method: 'POST' });
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('round-trips binary bodies', async () => {
    const bytes = new Uint8Array([0, 255, 1, 254, 10, 13]);
    const { app } = setup({}, (c) =>
      c.body(bytes, 200, { 'content-type': 'application/octet-stream' }),
    );
    await app.request('/items/1');
    const hit = await app.request('/items/1');
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(bytes);
  });

  it('drops stored responses by tag', async () => {
    const { app, calls, cache } = setup({ tags: (c) => [`item:${c.req.param('id')}`] });
    await app.request('/items/1');
    await cache.invalidateTag('item:1');
    await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('does not store bodies over maxBodyBytes', async () => {
    const { app, calls } = setup({ maxBodyBytes: 10 }, (c) => {
      calls();
      return c.text('x'.repeat(100));
    });
    await app.request('/items/1');
    await app.request('/items/1');
    expect(calls).toHaveBeenCalledTimes(2);
  });
});

describe('responseCache under concurrent misses', () => {
  it('runs the handler once for concurrent misses of one key', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { app, calls } = setup({}, async (c) => {
      calls();
      await gate;
      return c.json({ ok: true });
    });
    const all = Promise.all(Array.from({ length: 10 }, () => app.request('/items/1')));
    await vi.waitFor(() => expect(calls).toHaveBeenCalled());
    release();
    const responses = await all;
    expect(calls).toHaveBeenCalledTimes(1);
    expect(await Promise.all(responses.map((r) => r.json()))).toEqual(Array(10).fill({ ok: true }));
  });

  it('lets waiters run their own handler when the first response was not cacheable', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { app, calls } = setup({}, async (c) => {
      calls();
      await gate;
      return c.json({ title: 'Not Found' }, 404);
    });
    const all = Promise.all(Array.from({ length: 3 }, () => app.request('/items/1')));
    await vi.waitFor(() => expect(calls).toHaveBeenCalled());
    release();
    const responses = await all;
    expect(calls).toHaveBeenCalledTimes(3);
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404]);
  });

  it('emits max-age from the cache ttl when neither the route nor the handler set one', async () => {
    const { app } = setup();
    const res = await app.request('/items/1');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60');
  });
});

describe('responseCache with headers set by earlier middleware', () => {
  it('neither stores nor replays headers set before the handler, and keeps this request’s own', async () => {
    const { rateLimit } = await import('../src/index.js');
    const cache = createCache({ ttlMs: 60_000 });
    const app = problemApp();
    app.use(
      rateLimit({ name: 'api', limit: 10, windowMs: 60_000, remoteAddress: () => '192.0.2.1' }),
    );
    app.use(async (c, next) => {
      c.header('x-request-id', c.req.header('x-request-id') ?? 'none');
      await next();
    });
    app.get('/items', responseCache({ cache }), (c) => c.json({ ok: true }));
    await app.request('/items', { headers: { 'x-request-id': 'first' } });
    const hit = await app.request('/items', { headers: { 'x-request-id': 'second' } });
    expect(hit.headers.get('Age')).toBe('0');
    expect(hit.headers.get('x-request-id')).toBe('second');
    expect(hit.headers.get('RateLimit')).toBe('"api";r=8;t=12');
  });
});

describe('responseCache with foreign entries', () => {
  it('treats a cache value of another shape under its key as a miss', async () => {
    const { app, calls, cache } = setup();
    await cache.set('GET /items/1?', { status: 200, headers: [['x', 'y']], body: 1 });
    const res = await app.request('/items/1');
    expect(res.status).toBe(200);
    expect(calls).toHaveBeenCalledTimes(1);
  });
});

describe('responseCache hit path', () => {
  function counted() {
    const deserialize = vi.fn((text: string) => JSON.parse(text));
    const serialize = vi.fn((value: unknown) => JSON.stringify(value));
    const cache = createCache({ ttlMs: 60_000, serializer: { serialize, deserialize } });
    return { cache, serialize, deserialize };
  }

  it('serves repeated hits without running the handler or the serializer again', async () => {
    const { cache, serialize, deserialize } = counted();
    const { app, calls } = setup({ cache });
    await app.request('/items/1');
    await app.request('/items/1'); // the first hit decodes the stored entry once
    serialize.mockClear();
    deserialize.mockClear();
    for (let i = 0; i < 5; i++) expect((await app.request('/items/1')).status).toBe(200);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(serialize).not.toHaveBeenCalled();
    expect(deserialize).not.toHaveBeenCalled();
  });

  it('decodes again once the stored entry has been replaced', async () => {
    const { cache, deserialize } = counted();
    const { app, calls } = setup({ cache });
    await app.request('/items/1');
    await app.request('/items/1');
    await app.request('/items/1', { headers: { 'cache-control': 'no-cache' } });
    deserialize.mockClear();
    const hit = await app.request('/items/1');
    expect(await hit.json()).toMatchObject({ n: 2 });
    expect(deserialize).toHaveBeenCalledTimes(1);
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('serves exactly the bytes the handler produced, text or binary', async () => {
    const png = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);
    for (const [type, body] of [
      ['application/json; charset=UTF-8', new TextEncoder().encode('{"name":"Zoë ✓ 日本"}')],
      ['image/png', png],
    ] as const) {
      const { app } = setup({}, (c) => c.body(body.slice(), 200, { 'content-type': type }));
      const first = new Uint8Array(await (await app.request('/items/1')).arrayBuffer());
      const hit = await app.request('/items/1');
      expect(hit.headers.get('Age')).toBe('0');
      expect(new Uint8Array(await hit.arrayBuffer())).toEqual(first);
      expect(first).toEqual(body);
    }
  });

  it('answers a matching If-None-Match on a hit with only the fields RFC 9110 §15.4.5 lists, plus Age', async () => {
    const { app } = setup({ vary: ['accept-language'] }, (c) =>
      c.json({ ok: true }, 200, {
        'content-location': '/items/1',
        expires: 'Thu, 01 Jan 2099 00:00:00 GMT',
        'x-custom': 'body-metadata',
        'content-language': 'en',
      }),
    );
    const first = await app.request('/items/1');
    const etag = first.headers.get('ETag')!;
    const revalidated = await app.request('/items/1', { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    expect(Object.fromEntries(revalidated.headers)).toEqual({
      etag,
      age: '0',
      'cache-control': 'public, max-age=60',
      'content-location': '/items/1',
      expires: 'Thu, 01 Jan 2099 00:00:00 GMT',
      vary: 'accept-language',
    });
    expect(await revalidated.text()).toBe('');
  });
});

/** A GET over node:http (no fetch: it adds `Cache-Control: no-cache` to conditional requests). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('responseCache on a Node server (request fields read from the parsed Node request)', () => {
  async function serve() {
    const { createService, silentLogger } = await import('../src/index.js');
    const cache = createCache({ ttlMs: 60_000 });
    const calls = vi.fn();
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    service.get('/list', responseCache({ cache }), (c) => {
      calls();
      return c.json({ n: calls.mock.calls.length, items: Array.from({ length: 50 }, (_, i) => i) });
    });
    const { url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    return { url: `${url}/list`, calls, close: () => service.close() };
  }

  it('serves hits with the security headers and a fresh request id, 304 on If-None-Match', async () => {
    const { url, calls, close } = await serve();
    try {
      const first = await get(url);
      const hit = await get(url);
      expect(hit.status).toBe(200);
      expect(hit.body).toBe(first.body);
      expect(calls).toHaveBeenCalledTimes(1);
      expect(hit.headers.age).toBe('0');
      expect(hit.headers['x-content-type-options']).toBe('nosniff');
      expect(hit.headers['x-request-id']).toMatch(/^[\w.:-]+$/);
      expect(hit.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
      expect(hit.headers['content-length']).toBe(String(Buffer.byteLength(first.body)));
      const etag = hit.headers.etag as string;
      const revalidated = await get(url, { 'if-none-match': `"other", ${etag}` });
      expect(revalidated.status).toBe(304);
      expect(revalidated.body).toBe('');
      expect(revalidated.headers['content-type']).toBeUndefined();
      expect(revalidated.headers['x-content-type-options']).toBe('nosniff');
      expect(calls).toHaveBeenCalledTimes(1);
    } finally {
      await close();
    }
  });

  it('reads a request dispatched again under the same Node env by its own headers', async () => {
    const { createService, silentLogger } = await import('../src/index.js');
    const cache = createCache({ ttlMs: 60_000 });
    const calls = vi.fn();
    const inner = createService({ name: 'inner', version: '0', logger: silentLogger });
    inner.get('/list', responseCache({ cache }), (c) => {
      calls();
      return c.json({ n: calls.mock.calls.length, auth: c.req.header('authorization') ?? null });
    });
    const outer = createService({ name: 'outer', version: '0', logger: silentLogger });
    // A gateway-like route: the same path, dispatched again with an Authorization the client
    // did not send, under the Node env of the original request.
    outer.get('/as-user', (c) =>
      inner.fetch(
        new Request(new URL('/list', c.req.url), { headers: { authorization: 'Bearer u1' } }),
        c.env,
      ),
    );
    outer.get('/list', (c) => inner.fetch(c.req.raw, c.env));
    const { url } = await outer.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      await get(`${url}/list`);
      expect(calls).toHaveBeenCalledTimes(1);
      const hit = await get(`${url}/list`);
      expect(hit.headers.age).toBe('0');
      expect(calls).toHaveBeenCalledTimes(1);
      const asUser = await get(`${url}/as-user`);
      expect(JSON.parse(asUser.body)).toEqual({ n: 2, auth: 'Bearer u1' });
      expect(asUser.headers.age).toBeUndefined();
    } finally {
      await outer.close();
    }
  });

  it('runs the handler for no-store, no-cache and Authorization requests', async () => {
    const { url, calls, close } = await serve();
    try {
      await get(url);
      await get(url, { 'cache-control': 'no-store' });
      expect(calls).toHaveBeenCalledTimes(2);
      await get(url, { 'cache-control': 'max-age=0, no-cache' });
      expect(calls).toHaveBeenCalledTimes(3);
      const authorized = await get(url, { authorization: 'Bearer x' });
      expect(JSON.parse(authorized.body).n).toBe(4);
      expect(authorized.headers.age).toBeUndefined();
      expect(calls).toHaveBeenCalledTimes(4);
    } finally {
      await close();
    }
  });
});
