import { gcra } from './gcra.js';
import type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from './store.js';

/**
 * Options of {@link memoryRateLimitStore}.
 *
 * @example
 * ```ts
 * import type { MemoryRateLimitStoreOptions } from '@milkyway/core';
 *
 * const options: MemoryRateLimitStoreOptions = { maxEntries: 500_000 };
 * ```
 */
export interface MemoryRateLimitStoreOptions {
  /**
   * The most keys tracked (default 100 000). Beyond it, keys whose burst is full again are
   * dropped first (they carry no state), then the oldest.
   */
  maxEntries?: number;
}

/**
 * An in-process {@link RateLimitStore}: one number (the GCRA theoretical arrival time) per key
 * in a `Map`, checked synchronously with no allocation beyond the decision object. Limits hold
 * per process: with N replicas behind a load balancer, use `redisRateLimitStore` from
 * `@milkyway/redis` for one shared limit.
 *
 * @example
 * ```ts
 * import { memoryRateLimitStore, rateLimit } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * const app = new Hono();
 * app.use(rateLimit({ limit: 100, windowMs: 60_000, store: memoryRateLimitStore({ maxEntries: 50_000 }) }));
 * ```
 */
export function memoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): RateLimitStore {
  const maxEntries = options.maxEntries ?? 100_000;
  // key -> slot; each slot's TAT lives in a Float64Array, so a check of a known key is one
  // hash lookup and an array write, with no per-key objects for the GC to trace.
  const slots = new Map<string, number>();
  let tats = new Float64Array(Math.min(1024, maxEntries));
  const free: number[] = [];
  let used = 0;

  const prune = (now: number) => {
    for (const [key, slot] of slots) {
      if (tats[slot]! <= now) {
        slots.delete(key);
        free.push(slot);
      }
    }
    if (slots.size < maxEntries) return;
    let excess = slots.size - Math.floor(maxEntries * 0.9);
    for (const [key, slot] of slots) {
      if (excess-- <= 0) break;
      slots.delete(key);
      free.push(slot);
    }
  };

  const allocate = (key: string, now: number): number => {
    if (slots.size >= maxEntries) prune(now);
    let slot = free.pop();
    if (slot === undefined) {
      if (used === tats.length) {
        const grown = new Float64Array(Math.min(tats.length * 2, maxEntries));
        grown.set(tats);
        tats = grown;
      }
      slot = used++;
    }
    slots.set(key, slot);
    return slot;
  };

  return {
    check(key: string, policy: RateLimitPolicy, cost: number, now: number): RateLimitDecision {
      const interval = policy.windowMs / policy.limit;
      const out: RateLimitDecision = { allowed: false, remaining: 0, resetMs: 0, retryAfterMs: 0 };
      const slot = slots.get(key);
      const next = gcra(
        slot === undefined ? undefined : tats[slot],
        now,
        interval,
        interval * policy.burst,
        cost,
        out,
      );
      if (next >= 0) tats[slot ?? allocate(key, now)] = next;
      return out;
    },
    reset(key) {
      const slot = slots.get(key);
      if (slot === undefined) return;
      slots.delete(key);
      free.push(slot);
    },
  };
}
