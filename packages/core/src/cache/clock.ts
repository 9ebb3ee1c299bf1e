/**
 * A source of the current time in epoch milliseconds. Caches and rate limiters take one so
 * that tests can move time by hand instead of sleeping.
 *
 * @example
 * ```ts
 * import { type Clock, createCache } from '@milkyway/core';
 *
 * let now = 0;
 * const clock: Clock = () => now;
 * const cache = createCache({ ttlMs: 1_000, clock });
 * await cache.set('k', 'v');
 * now += 1_001; // the entry is now expired
 * ```
 */
export type Clock = () => number;

/**
 * The default clock: `Date.now`.
 *
 * @example
 * ```ts
 * import { systemClock } from '@milkyway/core';
 *
 * const startedAt = systemClock();
 * ```
 */
export const systemClock: Clock = Date.now;
