import { ProblemError, problemType, REJECTION } from '@milkyway/protocol';

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
export class RateLimitUnavailableError extends ProblemError {
  static override readonly brand: symbol = Symbol.for('milkyway.rateLimitUnavailable');
  static {
    // A Milkyway rejection: a breaker never counts it as a failure of the dependency.
    Object.defineProperty(RateLimitUnavailableError.prototype, REJECTION, { value: true });
  }

  /**
   * @param limiter - the limiter's name
   * @param retryAfterSeconds - the `Retry-After` to send
   * @param cause - the store error (logged, never sent)
   */
  constructor(
    readonly limiter: string,
    retryAfterSeconds: number,
    cause?: unknown,
  ) {
    // The detail names no internals: it is shown to the client.
    super(503, 'rate limiting is temporarily unavailable; retry shortly', {
      title: 'Service Unavailable',
      type: problemType('rate-limit-unavailable'),
      headers: { 'Retry-After': String(retryAfterSeconds) },
      expose: true,
      cause,
    });
  }
}
