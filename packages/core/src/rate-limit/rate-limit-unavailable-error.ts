const BRAND = Symbol.for('milkyway.rateLimitUnavailable');
const REJECTION = Symbol.for('milkyway.rejection');

/**
 * Thrown by a fail-closed {@link rateLimit} (`failOpen: false`) while its store is unreachable:
 * status 503 with `Retry-After`, rendered as `application/problem+json`.
 *
 * @example
 * ```ts
 * import { RateLimitUnavailableError, rateLimit, type RateLimitStore } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * declare const store: RateLimitStore; // e.g. redisRateLimitStore(...)
 * const app = new Hono();
 * app.use(rateLimit({ limit: 10, windowMs: 1_000, store, failOpen: false }));
 * app.onError((err, c) => {
 *   if (RateLimitUnavailableError.is(err)) return c.json({ title: err.title }, 503, err.headers);
 *   throw err;
 * });
 * ```
 */
export class RateLimitUnavailableError extends Error {
  /** HTTP status: 503. */
  readonly status = 503;
  /** Problem title. */
  readonly title = 'Service Unavailable';
  /** Problem type URI. */
  readonly type = 'https://milkyway.dev/problems/rate-limit-unavailable';
  /** Problem detail (safe to show; names no internals). */
  readonly detail = 'rate limiting is temporarily unavailable; retry shortly';
  /** Response headers: `Retry-After`. */
  readonly headers: Record<string, string>;
  /** The detail is safe to send to the client. */
  readonly expose = true;
  /** The limiter's name. */
  readonly limiter: string;
  readonly [BRAND] = true;
  /**
   * Marks a Milkyway rejection (load shed, not a dependency failure), so a circuit breaker of
   * @milkyway/resilience around a call that hits this limit never counts it as a failure.
   */
  readonly [REJECTION] = true;

  /**
   * @param limiter the limiter's name
   * @param retryAfterSeconds the `Retry-After` to send
   * @param cause the store error (logged, never sent)
   */
  constructor(limiter: string, retryAfterSeconds: number, cause?: unknown) {
    super(`rate limit store for "${limiter}" unavailable`, { cause });
    this.name = 'RateLimitUnavailableError';
    this.limiter = limiter;
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }

  /** True for a {@link RateLimitUnavailableError} from any copy of this package. */
  static is(error: unknown): error is RateLimitUnavailableError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true
    );
  }
}
