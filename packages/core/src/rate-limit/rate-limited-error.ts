import { ProblemError, problemType, REJECTION } from '@milkyway/protocol';

/**
 * Thrown by {@link rateLimit} when a request is over the limit: status 429, rendered by core as
 * `application/problem+json` with `Retry-After` and the `RateLimit`/`RateLimit-Policy` headers.
 *
 * @example
 * ```ts
 * import { RateLimitedError } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * const app = new Hono();
 * app.onError((err, c) => {
 *   if (RateLimitedError.is(err)) return c.json({ title: err.title, detail: err.detail }, 429, err.headers);
 *   throw err;
 * });
 * ```
 */
export class RateLimitedError extends ProblemError {
  static override readonly brand: symbol = Symbol.for('milkyway.rateLimited');
  static {
    // A Milkyway rejection (load shed, not a dependency failure): a circuit breaker of
    // @milkyway/resilience around a call that hits this limit never counts it as a failure.
    Object.defineProperty(RateLimitedError.prototype, REJECTION, { value: true });
  }

  /**
   * @param limiter - the limiter's name (its policy name in the headers)
   * @param retryAfterSeconds - seconds until a retry can succeed
   * @param headers - the response headers to send (`Retry-After`, `RateLimit`, `RateLimit-Policy`)
   */
  constructor(
    readonly limiter: string,
    readonly retryAfterSeconds: number,
    headers: Record<string, string>,
  ) {
    super(429, `rate limit "${limiter}" exceeded; retry in ${retryAfterSeconds} s`, {
      title: 'Too Many Requests',
      type: problemType('rate-limited'),
      headers,
      stack: false,
    });
  }
}
