import type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from '@milkyway/core';
import type { Redis } from 'ioredis';
import { checkPrefix, connectionGuard, type RedisConnection, resolveClient } from './client.js';
import { GCRA_SCRIPT } from './scripts.js';

/**
 * Options of {@link redisRateLimitStore}.
 *
 * @example
 * ```ts
 * import type { RedisRateLimitStoreOptions } from '@milkyway/redis';
 *
 * const options: RedisRateLimitStoreOptions = { url: 'redis://127.0.0.1:6379', prefix: 'catalog:' };
 * ```
 */
export interface RedisRateLimitStoreOptions extends RedisConnection {
  /** Prefix of every key this store writes (one per service), e.g. `'catalog:'`. */
  prefix: string;
  /**
   * Whose time decides: `'redis'` (default: Redis `TIME`, so replicas with skewed clocks share
   * one timeline) or `'caller'` (the time the limiter passes in, i.e. its `clock`; for tests
   * with a manual clock). Named `timeSource` because `clock` is always a function in Milkyway.
   */
  timeSource?: 'redis' | 'caller';
}

/**
 * A `RateLimitStore` (from `@milkyway/core`) on Redis, plus the means to close it.
 *
 * @example
 * ```ts
 * import { type RedisRateLimitStore, redisRateLimitStore } from '@milkyway/redis';
 *
 * const store: RedisRateLimitStore = redisRateLimitStore({ url: 'redis://127.0.0.1:6379', prefix: 'catalog:' });
 * await store.close(); // on shutdown
 * ```
 */
export interface RedisRateLimitStore extends RateLimitStore {
  /** The ioredis client in use. */
  readonly client: Redis;
  /** Checks a key: one `EVALSHA` of the GCRA script (one round trip). */
  check(
    key: string,
    policy: RateLimitPolicy,
    cost: number,
    now: number,
  ): Promise<RateLimitDecision>;
  /** Quits the client if the store created it (from `url`). */
  close(): Promise<void>;
}

interface ScriptedClient {
  milkywayGcra(
    key: string,
    intervalMs: number,
    capacityMs: number,
    cost: number,
    now: number,
  ): Promise<[number, string, string]>;
}

/**
 * A Redis-backed rate-limit store: each check is ONE atomic Lua script (GCRA: read the key's
 * theoretical arrival time, decide, write it back with an expiry), run with `EVALSHA` through
 * ioredis `defineCommand` (which reloads the script if Redis lost it). Replicas sharing the store
 * never admit more than the limit together; a key costs one small string in Redis and expires
 * once its burst is full again.
 *
 * @example
 * ```ts
 * import { rateLimit } from '@milkyway/core';
 * import { redisRateLimitStore } from '@milkyway/redis';
 * import { Hono } from 'hono';
 *
 * const store = redisRateLimitStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: 'catalog:' });
 * const app = new Hono();
 * app.use('/api/*', rateLimit({ name: 'api', limit: 100, windowMs: 60_000, store, failOpen: true }));
 * ```
 */
export function redisRateLimitStore(options: RedisRateLimitStoreOptions): RedisRateLimitStore {
  const prefix = checkPrefix(options.prefix, 'redisRateLimitStore');
  const { client, owned } = resolveClient(options, 'redisRateLimitStore');
  const connected = connectionGuard(client);
  client.defineCommand('milkywayGcra', { numberOfKeys: 1, lua: GCRA_SCRIPT });
  const scripted = client as unknown as ScriptedClient;
  const serverClock = (options.timeSource ?? 'redis') === 'redis';

  return {
    client,
    async check(key, policy, cost, now) {
      await connected();
      const interval = policy.windowMs / policy.limit;
      const capacity = interval * policy.burst;
      const [allowed, first, second] = await scripted.milkywayGcra(
        `${prefix}rl:${key}`,
        interval,
        capacity,
        cost,
        serverClock ? -1 : now,
      );
      if (allowed === 1) {
        const ahead = Number(first);
        return {
          allowed: true,
          remaining: Math.floor((capacity - ahead) / interval + 1e-6),
          resetMs: ahead,
          retryAfterMs: 0,
        };
      }
      return { allowed: false, remaining: 0, resetMs: Number(first), retryAfterMs: Number(second) };
    },
    async reset(key) {
      await connected();
      await client.del(`${prefix}rl:${key}`);
    },
    async close() {
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}
