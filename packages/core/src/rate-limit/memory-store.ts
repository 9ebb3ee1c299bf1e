import { gcra } from './gcra.js';
import type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from './store.js';

/**
 * Options of {@link memoryRateLimitStore}.
 *
 * @example
 * ```ts
 * const options: MemoryRateLimitStoreOptions = { maxKeys: 500_000 };
 * ```
 */
export interface MemoryRateLimitStoreOptions {
  /**
   * The most keys tracked (default 100 000). Beyond it, keys whose burst is full again are
   * dropped first (they carry no state), then the oldest.
   */
  maxKeys?: number;
}

/**
 * An in-process {@link RateLimitStore}: one number (the GCRA theoretical arrival time) per key
 * in a `Map`, checked synchronously with no allocation beyond the decision object. Limits hold
 * per process: with N replicas behind a load balancer, use `redisRateLimitStore` from
 * `@milkyway/redis` for one shared limit.
 *
 * @example
 * ```ts
 * app.use(rateLimit({ limit: 100, windowMs: 60_000, store: memoryRateLimitStore({ maxKeys: 50_000 }) }));
 * ```
 */
export function memoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? 100_000;
  const tats = new Map<string, number>();

  const prune = (now: number) => {
    for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
    if (tats.size < maxKeys) return;
    let excess = tats.size - Math.floor(maxKeys * 0.9);
    for (const key of tats.keys()) {
      if (excess-- <= 0) break;
      tats.delete(key);
    }
  };

  return {
    check(key: string, policy: RateLimitPolicy, cost: number, now: number): RateLimitDecision {
      const interval = policy.windowMs / policy.limit;
      const out: RateLimitDecision = { allowed: false, remaining: 0, resetMs: 0, retryAfterMs: 0 };
      const tat = tats.get(key);
      const next = gcra(tat, now, interval, interval * policy.burst, cost, out);
      if (next >= 0) {
        if (tat === undefined && tats.size >= maxKeys) prune(now);
        tats.set(key, next);
      }
      return out;
    },
    reset(key) {
      tats.delete(key);
    },
  };
}
