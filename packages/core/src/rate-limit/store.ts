/**
 * A rate-limit policy as the stores see it: at most `limit` requests per `windowMs`, of which up
 * to `burst` may arrive at once (GCRA: one request every `windowMs / limit` ms on average).
 *
 * @example
 * ```ts
 * import type { RateLimitPolicy } from '@milkyway/core';
 *
 * const policy: RateLimitPolicy = { limit: 100, windowMs: 60_000, burst: 100 };
 * ```
 */
export interface RateLimitPolicy {
  /** Requests allowed per window (the sustained rate is `limit / windowMs`). */
  readonly limit: number;
  /** The window in milliseconds. */
  readonly windowMs: number;
  /** Requests that may arrive at once after a quiet period (1..limit). */
  readonly burst: number;
}

/**
 * The outcome of one {@link RateLimitStore.check}.
 *
 * @example
 * ```ts
 * import { memoryRateLimitStore, type RateLimitDecision } from '@milkyway/core';
 *
 * const store = memoryRateLimitStore();
 * const policy = { limit: 100, windowMs: 60_000, burst: 100 };
 * const decision: RateLimitDecision = await store.check('ip:192.0.2.1', policy, 1, Date.now());
 * if (!decision.allowed) console.log(`retry in ${decision.retryAfterMs} ms`);
 * ```
 */
export interface RateLimitDecision {
  /** Whether the request is admitted (and counted). */
  allowed: boolean;
  /** Requests that could still be admitted right now. */
  remaining: number;
  /** Milliseconds until the full burst is available again. */
  resetMs: number;
  /** Milliseconds until this request would be admitted (0 when allowed). */
  retryAfterMs: number;
}

/**
 * Where the rate limiter keeps its per-key state. `check` decides and records atomically: two
 * replicas sharing a store never admit more than the policy allows together. A store may return
 * the decision synchronously (the memory store does, to stay allocation-light) or as a promise.
 * Throwing or rejecting means "store unreachable": the limiter then applies its fail policy.
 *
 * @example
 * ```ts
 * import { memoryRateLimitStore, rateLimit, type RateLimitStore } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * const store: RateLimitStore = memoryRateLimitStore();
 * const app = new Hono();
 * app.use(rateLimit({ limit: 100, windowMs: 60_000, store }));
 * ```
 */
export interface RateLimitStore {
  /**
   * Checks `key` against `policy` at time `now` (epoch ms), consuming `cost` units when
   * admitted. Stores that keep their own clock (Redis server time) may ignore `now`.
   */
  check(
    key: string,
    policy: RateLimitPolicy,
    cost: number,
    now: number,
  ): RateLimitDecision | Promise<RateLimitDecision>;
  /** Forgets `key` (its full burst is available again). */
  reset(key: string): void | Promise<void>;
}
