/**
 * Internal helpers shared by the error classes: brand checks that work across duplicate
 * installs (`Symbol.for`), the marker for Milkyway's own rejections, and cheap construction of
 * errors whose stack trace is worthless (fast-fail rejections on a hot path).
 */

/** Marks errors that are Milkyway's own load-shedding rejections (never a dependency failure). */
export const REJECTION = Symbol.for('milkyway.rejection');

/** True when `error` carries the brand `brand` (set by the error classes' constructors). */
export function hasBrand(error: unknown, brand: symbol): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[brand] === true
  );
}

/**
 * True when the error is one of Milkyway's own rejections (a full bulkhead, an open breaker, a
 * rate limit) rather than a failure of the dependency. Any error with
 * `error[Symbol.for('milkyway.rejection')] === true` qualifies, so other packages can mark
 * theirs without importing this one.
 *
 * @example
 * ```ts
 * import { isRejection, BulkheadRejectedError } from '@milkyway/resilience';
 * isRejection(new BulkheadRejectedError({ maxConcurrent: 1, maxQueue: 0 })); // true
 * ```
 */
export function isRejection(error: unknown): boolean {
  return hasBrand(error, REJECTION);
}

/** Seconds for a `Retry-After` header, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
