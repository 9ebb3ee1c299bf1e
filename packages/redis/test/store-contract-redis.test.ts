import { type CacheStore, type RateLimitStore, rateLimit } from '@milkyway/core';
import { createRedisClient, redisCacheStore, redisRateLimitStore } from '@milkyway/redis';
import { Hono } from 'hono';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../../test-support/services.js';
import {
  cacheStoreContract,
  lockContract,
  rateLimitStoreContract,
} from '../../../test-support/store-contracts.js';
import { deleteByPrefix, uniquePrefix, whenReady } from './helpers.js';

// The same contract the memory stores pass (packages/core/test/store-contract-memory.test.ts),
// against the shared Redis on 127.0.0.1:6379, under a prefix unique to this run.
const available = await serviceAvailable('redis', 6379);

describe.runIf(available)('redis stores on 127.0.0.1:6379', () => {
  const prefix = uniquePrefix('contract');
  const replicas: Redis[] = [];

  beforeAll(async () => {
    // Two connections: two service replicas sharing one Redis.
    for (let i = 0; i < 2; i++) replicas.push(createRedisClient('redis://127.0.0.1:6379'));
    await Promise.all(replicas.map((client) => whenReady(client)));
  });

  afterAll(async () => {
    if (replicas[0]) await deleteByPrefix(replicas[0], prefix);
    await Promise.all(replicas.map((client) => client.quit()));
  });

  const cacheHarness = () => ({
    instances: (n: number): CacheStore[] =>
      Array.from({ length: n }, (_, i) => redisCacheStore({ client: replicas[i % 2]!, prefix })),
    sharedAcrossInstances: true,
  });
  const rateLimitHarness = () => ({
    instances: (n: number): RateLimitStore[] =>
      Array.from({ length: n }, (_, i) =>
        redisRateLimitStore({ client: replicas[i % 2]!, prefix, timeSource: 'caller' }),
      ),
    sharedAcrossInstances: true,
  });

  cacheStoreContract('redisCacheStore', cacheHarness);
  lockContract('redisCacheStore', cacheHarness);
  rateLimitStoreContract('redisRateLimitStore', rateLimitHarness);

  it('uses the Redis server clock by default, and two instances still admit exactly the limit', async () => {
    const app = (client: Redis) => {
      const a = new Hono();
      const store = redisRateLimitStore({ client, prefix });
      a.use(
        rateLimit({ name: 'server-clock', limit: 7, windowMs: 60_000, store, key: () => 'one' }),
      );
      a.get('/', (c) => c.text('ok'));
      a.onError((err, c) => c.text('limited', (err as { status?: 429 }).status ?? 500));
      return a;
    };
    const apps = [app(replicas[0]!), app(replicas[1]!)];
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => apps[i % 2]!.request('/')),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(7);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(33);
  });
});
