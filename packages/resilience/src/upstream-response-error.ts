import { hasBrand } from './brand.js';
import { parseRetryAfter } from './retry-after.js';

const BRAND = Symbol.for('milkyway.upstream_response');

/**
 * A non-2xx response from an upstream service, thrown by the resilient HTTP client's typed
 * methods (`json`, `send`). `status` is what *your* service answers when it lets the error
 * escape (502 Bad Gateway by default, so an upstream's 404 is never mistaken for your own);
 * `upstreamStatus` is what the upstream said. The (buffered) `response` is kept for callers that
 * want to read the body.
 *
 * @example
 * ```ts
 * import { httpClient, UpstreamResponseError } from '@milkyway/resilience';
 * const catalog = httpClient({ baseUrl: 'http://127.0.0.1:3001' });
 *
 * async function findProduct(id: string): Promise<unknown> {
 *   try {
 *     return await catalog.json(`/products/${id}`);
 *   } catch (error) {
 *     if (UpstreamResponseError.is(error) && error.upstreamStatus === 404) return undefined;
 *     throw error;
 *   }
 * }
 * ```
 */
export class UpstreamResponseError extends Error {
  /** Brand check that works across duplicate installs of the package. */
  static is(error: unknown): error is UpstreamResponseError {
    return hasBrand(error, BRAND);
  }

  /** HTTP status your service answers with if this error escapes a handler (default 502). */
  readonly status: number;
  /** Problem title. */
  readonly title = 'Bad Gateway';
  /** Safe to show to clients (the message names the upstream status, not its URL or body). */
  readonly expose = true;
  /** Status the upstream answered with. */
  readonly upstreamStatus: number;
  /** Method of the upstream request. */
  readonly method: string;
  /** URL of the upstream request. */
  readonly url: string;
  /** The upstream response, body buffered (read it with `.json()` / `.text()`). */
  readonly response: Response;
  /** Parsed `Retry-After` of the upstream response, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** Brand. */
  readonly [BRAND] = true;

  /** Creates the error from a (buffered) upstream response. */
  constructor(options: { response: Response; method: string; url: string; status?: number }) {
    // The message is shown to clients: the upstream's URL stays in `url` (for logs).
    super(`upstream answered ${options.response.status}`);
    this.name = 'UpstreamResponseError';
    this.status = options.status ?? 502;
    this.upstreamStatus = options.response.status;
    this.method = options.method;
    this.url = options.url;
    this.response = options.response;
    this.retryAfterMs = parseRetryAfter(options.response.headers.get('retry-after'));
  }
}
