import { createCache, type Logger, rateLimit } from '@milkyway/core';
import { createRedisClient, redisCacheStore, redisRateLimitStore } from '@milkyway/redis';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, OwnRedis, redisServerPath, whenReady } from './helpers.js';

// These tests start their own redis-server on a free port, kill it mid-test and restart it.
// They never touch the shared Redis on 6379.
const binary = redisServerPath();
if (!binary) {
  const message =
    'redis-server is not installed; the Redis outage tests need it (apt-get install redis-server)';
  if (process.env.MILKYWAY_REQUIRE_SERVICES === '1') throw new Error(message);
  console.warn(`[skip] ${message}`);
}

function recordingLogger() {
  const lines: { level: string; msg: string | undefined }[] = [];
  const logger: Pick<Logger, 'debug' | 'info' | 'warn'> = {
    warn: (_o, msg) => lines.push({ level: 'warn', msg }),
    info: (_o, msg) => lines.push({ level: 'info', msg }),
    debug: () => {},
  };
  return { logger, lines };
}

function limitedApp(
  store: ReturnType<typeof redisRateLimitStore>,
  failOpen: boolean,
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>,
) {
  const app = new Hono();
  app.use(
    rateLimit({
      name: 'outage',
      limit: 1_000,
      windowMs: 60_000,
      store,
      failOpen,
      logger,
      key: () => 'k',
    }),
  );
  app.get('/', (c) => c.text('ok'));
  // Renders status-carrying errors the way core does (status, headers, problem title).
  app.onError((err, c) => {
    const e = err as { status?: number; title?: string; headers?: Record<string, string> };
    return c.json({ title: e.title }, (e.status ?? 500) as 503, e.headers);
  });
  return app;
}

describe.runIf(binary !== undefined)('when the Redis server goes away and comes back', () => {
  let server: OwnRedis;
  let client: Redis;
  const prefix = 'outage-test:';

  beforeAll(async () => {
    server = new OwnRedis(await freePort(), binary!);
    await server.start();
    client = createRedisClient(`redis://127.0.0.1:${server.port}`);
    await whenReady(client);
  });

  afterAll(async () => {
    client?.disconnect();
    await server?.kill();
  });

  it('admits requests while down with failOpen, rejects them with 503 when closed, and both recover', async () => {
    const store = redisRateLimitStore({ client, prefix });
    const open = recordingLogger();
    const closed = recordingLogger();
    const openApp = limitedApp(store, true, open.logger);
    const closedApp = limitedApp(store, false, closed.logger);

    const before = await openApp.request('/');
    expect(before.headers.get('RateLimit')).toMatch(/^"outage";r=\d+;t=\d+$/);

    await server.kill();
    await vi.waitFor(() => expect(client.status).not.toBe('ready'));

    const started = performance.now();
    const [openDown, openDownAgain, closedDown] = await Promise.all([
      openApp.request('/'),
      openApp.request('/'),
      closedApp.request('/'),
    ]);
    expect(performance.now() - started).toBeLessThan(2_000); // fails fast, no hang
    expect(openDown.status).toBe(200);
    expect(openDownAgain.status).toBe(200);
    expect(openDown.headers.get('RateLimit')).toBeNull();
    expect(closedDown.status).toBe(503);
    expect(closedDown.headers.get('Retry-After')).toBe('1');
    expect(open.lines.filter((l) => l.level === 'warn')).toHaveLength(1); // logged once, not per request
    expect(closed.lines.filter((l) => l.level === 'warn')).toHaveLength(1);

    await server.start();
    await whenReady(client);

    const openBack = await openApp.request('/');
    const closedBack = await closedApp.request('/');
    expect(openBack.headers.get('RateLimit')).toMatch(/^"outage";r=\d+;t=\d+$/);
    expect(closedBack.status).toBe(200);
    expect(open.lines.at(-1)).toEqual({ level: 'info', msg: 'rate limit store recovered' });
    expect(closed.lines.at(-1)).toEqual({ level: 'info', msg: 'rate limit store recovered' });
  });

  it('serves from the loader while Redis is down and caches again once it is back', async () => {
    if (client.status !== 'ready') await whenReady(client);
    const store = redisCacheStore({ client, prefix });
    const cache = createCache({ store, ttlMs: 60_000, namespace: 'outage' });
    const loader = vi.fn(async () => 'value');
    await cache.getOrLoad('k', loader);
    await cache.getOrLoad('k', loader);
    expect(loader).toHaveBeenCalledTimes(1);

    await server.kill();
    await vi.waitFor(() => expect(client.status).not.toBe('ready'));
    expect(await cache.getOrLoad('k', loader)).toBe('value');
    expect(loader).toHaveBeenCalledTimes(2);

    await server.start(); // an empty server: nothing was persisted
    await whenReady(client);
    await cache.getOrLoad('k', loader);
    await cache.getOrLoad('k', loader);
    expect(loader).toHaveBeenCalledTimes(3);
  });

  it('fails fast on a client created with ioredis defaults (offline queue on) while Redis is down', async () => {
    if (client.status !== 'ready') await whenReady(client);
    const own = new Redis(`redis://127.0.0.1:${server.port}`); // the user's client, default options
    own.on('error', () => {});
    try {
      await whenReady(own);
      const store = redisRateLimitStore({ client: own, prefix });
      const policy = { limit: 10, windowMs: 1_000, burst: 10 };
      await server.kill();
      await vi.waitFor(() => expect(own.status).not.toBe('ready'));
      const started = performance.now();
      await expect(store.check('k', policy, 1, 0)).rejects.toThrow(/not ready/);
      expect(performance.now() - started).toBeLessThan(100);
      await server.start();
      await whenReady(own);
      expect((await store.check('k', policy, 1, 0)).allowed).toBe(true);
    } finally {
      own.disconnect();
      if (client.status !== 'ready') await whenReady(client);
    }
  });

  it('checks a rate limit in one command: one EVALSHA and nothing else', async () => {
    if (client.status !== 'ready') await whenReady(client);
    const store = redisRateLimitStore({ client, prefix });
    const policy = { limit: 1_000, windowMs: 60_000, burst: 1_000 };
    await store.check('warm-up', policy, 1, 0); // loads the script (EVALSHA, NOSCRIPT, EVAL)
    const counts = async () => {
      const info = await client.info('commandstats');
      const calls: Record<string, number> = {};
      for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm))
        calls[match[1]!] = Number(match[2]);
      return calls;
    };
    const before = await counts();
    for (let i = 0; i < 50; i++) await store.check(`rt:${i % 5}`, policy, 1, 0);
    const after = await counts();
    const delta = Object.fromEntries(
      Object.keys(after)
        .filter((name) => name !== 'info' && after[name] !== (before[name] ?? 0))
        .map((name) => [name, after[name]! - (before[name] ?? 0)]),
    );
    // Commands run inside the script (GET, SET, TIME) are counted too; only EVALSHA crossed the network.
    expect(delta.evalsha).toBe(50);
    expect(
      Object.keys(delta).filter((name) => !['evalsha', 'get', 'set', 'time'].includes(name)),
    ).toEqual([]);
  });
});
