import { hasBrand } from './brand.js';

const BRAND = Symbol.for('milkyway.upstream_connection');

/**
 * The resilient HTTP client could not get a response from the upstream: connection refused or
 * reset, DNS failure, a socket closed mid-body. Rendered as a 502 problem+json. `code` is the
 * system error code when Node gave one (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, ...);
 * the original error is `cause`.
 *
 * @example
 * ```ts
 * import { httpClient, UpstreamConnectionError } from '@milkyway/resilience';
 * const catalog = httpClient({ baseUrl: 'http://127.0.0.1:3001' });
 * try {
 *   await catalog.json('/health');
 * } catch (error) {
 *   if (UpstreamConnectionError.is(error)) console.warn(error.code);
 * }
 * ```
 */
export class UpstreamConnectionError extends Error {
  /** Brand check that works across duplicate installs of the package. */
  static is(error: unknown): error is UpstreamConnectionError {
    return hasBrand(error, BRAND);
  }

  /** HTTP status for the problem+json response: 502. */
  readonly status = 502;
  /** Problem title. */
  readonly title = 'Bad Gateway';
  /** Safe to show to clients. */
  readonly expose = true;
  /** System error code, when known. */
  readonly code: string | undefined;
  /** Method of the upstream request. */
  readonly method: string;
  /** URL of the upstream request. */
  readonly url: string;
  /** Brand. */
  readonly [BRAND] = true;

  /** Creates the error; `cause` is the error fetch threw. */
  constructor(options: { method: string; url: string; cause: unknown }) {
    const code = errorCode(options.cause);
    // The message is shown to clients: the upstream's URL stays in `url` (for logs).
    super(`upstream unreachable${code ? ` (${code})` : ''}`, { cause: options.cause });
    this.name = 'UpstreamConnectionError';
    this.code = code;
    this.method = options.method;
    this.url = options.url;
  }
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
