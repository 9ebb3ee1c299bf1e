// Milkyway's side of section 4 (Redis), through @milkyway/redis's public entry point.
import { redisRateLimitStore } from '@milkyway/redis';
import type { Redis } from 'ioredis';

export async function milkywayRedisCheck(
  redis: Redis,
  prefix: string,
  limit: number,
  windowMs: number,
): Promise<
  { check: (key: string) => Promise<unknown>; close?: () => Promise<void> } | { reason: string }
> {
  const store = redisRateLimitStore({ client: redis, prefix: `${prefix}:` });
  const policy = { limit, windowMs, burst: limit };
  return {
    check: async (key) => store.check(key, policy, 1, Date.now()),
    close: () => store.close(),
  };
}
