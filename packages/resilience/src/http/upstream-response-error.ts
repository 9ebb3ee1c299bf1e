import { ProblemError } from '@milkyway/protocol';
import { parseRetryAfter } from '../retry/retry-after.js';

/**
 * A non-2xx response from an upstream service, thrown by the resilient HTTP client's typed
 * methods (`json`, `send`). `status` is what *your* service answers when it lets the error
 * escape (502 Bad Gateway by default, so an upstream's 404 is never mistaken for your own) and
 * the detail shown to clients is generic; `upstreamStatus`, `url` and the (buffered) `response`
 * are there for your code and your logs.
 *
 * @example
 * ```ts
 * import { httpClient, UpstreamResponseError } from '@milkyway/resilience/http';
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
export class UpstreamResponseError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.upstream_response');

  /** Status the upstream answered with. */
  readonly upstreamStatus: number;
  /** Method of the upstream request. */
  readonly method: string;
  /** URL of the upstream request (for logs; never sent to clients). */
  readonly url: string;
  /** The upstream response, body buffered (read it with `.json()` / `.text()`). */
  readonly response: Response;
  /** Parsed `Retry-After` of the upstream response, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  /** Creates the error from a (buffered) upstream response. */
  constructor(options: { response: Response; method: string; url: string; status?: number }) {
    // The detail is shown to clients: not the upstream's status, URL or body.
    super(options.status ?? 502, 'upstream answered with an error', { expose: true });
    this.upstreamStatus = options.response.status;
    this.method = options.method;
    this.url = options.url;
    this.response = options.response;
    this.retryAfterMs = parseRetryAfter(options.response.headers.get('retry-after'));
  }
}
