const BRAND = Symbol.for('milkyway.rateLimited');
const REJECTION = Symbol.for('milkyway.rejection');

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
export class RateLimitedError extends Error {
  /** HTTP status: 429. */
  readonly status = 429;
  /** Problem title. */
  readonly title = 'Too Many Requests';
  /** Problem type URI. */
  readonly type = 'https://milkyway.dev/problems/rate-limited';
  /** Problem detail (safe to show). */
  readonly detail: string;
  /** Response headers: `Retry-After`, `RateLimit`, `RateLimit-Policy`. */
  readonly headers: Record<string, string>;
  /** The message and detail are safe to send to the client. */
  readonly expose = true;
  /** Seconds until the request would be admitted. */
  readonly retryAfterSeconds: number;
  /** The limiter's name (its policy name in the headers). */
  readonly limiter: string;
  readonly [BRAND] = true;
  /**
   * Marks a Milkyway rejection (load shed, not a dependency failure), so a circuit breaker of
   * @milkyway/resilience around a call that hits this limit never counts it as a failure.
   */
  readonly [REJECTION] = true;

  /**
   * @param limiter the limiter's name
   * @param retryAfterSeconds seconds until a retry can succeed
   * @param headers the response headers to send
   */
  constructor(limiter: string, retryAfterSeconds: number, headers: Record<string, string>) {
    super(`rate limit "${limiter}" exceeded; retry in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
    this.limiter = limiter;
    this.retryAfterSeconds = retryAfterSeconds;
    this.detail = this.message;
    this.headers = headers;
  }

  /** True for a {@link RateLimitedError} from any copy of this package. */
  static is(error: unknown): error is RateLimitedError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true
    );
  }
}
