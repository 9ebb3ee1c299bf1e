/**
 * Protocol 8 — time. Everything that reads the time (caches, rate limiters, breakers, retries,
 * consumers) takes a `clock`: a function returning epoch milliseconds, so tests move time by
 * hand instead of sleeping. `clock` means this function in every package.
 *
 * @example
 * ```ts
 * import type { Clock } from '@milkyway/protocol';
 *
 * let now = 0;
 * const clock: Clock = () => now;
 * now += 1_001;
 * ```
 */
export type Clock = () => number;

/**
 * The default clock: the current `Date.now()`, read on every call (so vitest's fake timers,
 * which replace `Date.now`, move it too).
 *
 * @example
 * ```ts
 * import { systemClock } from '@milkyway/protocol';
 *
 * const startedAt = systemClock();
 * ```
 */
export const systemClock: Clock = () => Date.now();
