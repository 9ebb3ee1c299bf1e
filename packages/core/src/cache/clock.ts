/**
 * A source of the current time in epoch milliseconds. Caches and rate limiters take one so
 * that tests can move time by hand instead of sleeping.
 *
 * @example
 * ```ts
 * let now = 0;
 * const clock: Clock = () => now;
 * const cache = createCache({ ttlMs: 1000, clock });
 * now += 1001; // every entry is now expired
 * ```
 */
export type Clock = () => number;

/** The default clock: `Date.now`. */
export const systemClock: Clock = Date.now;
