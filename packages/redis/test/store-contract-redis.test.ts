import type { CacheStore, RateLimitStore } from '@milkyway/core';
import { createRedisClient, redisCacheStore, redisRateLimitStore } from '@milkyway/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { serviceAvailable } from '../../../test-support/services.js';
import {
  cacheStoreContract,
  lockContract,
  rateLimitStoreContract,
} from '../../core/test/contracts/stores.js';
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
        redisRateLimitStore({ client: replicas[i % 2]!, prefix, clock: 'caller' }),
      ),
    sharedAcrossInstances: true,
  });

  cacheStoreContract('redisCacheStore', cacheHarness);
  lockContract('redisCacheStore', cacheHarness);
  rateLimitStoreContract('redisRateLimitStore', rateLimitHarness);
});
