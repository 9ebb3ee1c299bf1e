// Milkyway's side of section 4 (Redis), through @milkyway/redis's public entry point.
// Filled in against /work/notes/cache-ratelimit-api.md and the redis package's README.
import type { Redis } from 'ioredis';

export async function milkywayRedisCheck(
  _redis: Redis,
  _prefix: string,
  _limit: number,
  _windowMs: number,
): Promise<
  { check: (key: string) => Promise<unknown>; close?: () => Promise<void> } | { reason: string }
> {
  return {
    reason: 'not measured: the Redis rate-limit store in @milkyway/redis has not landed yet',
  };
}
