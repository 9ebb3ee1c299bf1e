import { ProblemError } from '@milkyway/protocol';

/**
 * The resilient HTTP client could not get a response from the upstream: connection refused or
 * reset, DNS failure, a socket closed mid-body. A 502 problem+json (protocol 1) whose detail is
 * generic; the specifics stay on the error for logs and spans: `code` is the system error code
 * when Node gave one (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, ...), the original error
 * is `cause`.
 *
 * @example
 * ```ts
 * import { httpClient, UpstreamConnectionError } from '@milkyway/resilience/http';
 * const catalog = httpClient({ baseUrl: 'http://127.0.0.1:3001' });
 * try {
 *   await catalog.json('/health');
 * } catch (error) {
 *   if (UpstreamConnectionError.is(error)) console.warn(error.code, error.url);
 * }
 * ```
 */
export class UpstreamConnectionError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.upstream_connection');

  /** System error code, when known (for logs; never sent to clients). */
  readonly code: string | undefined;
  /** Method of the upstream request. */
  readonly method: string;
  /** URL of the upstream request (for logs; never sent to clients). */
  readonly url: string;

  /** Creates the error; `cause` is the error fetch threw. */
  constructor(options: { method: string; url: string; cause: unknown }) {
    // The detail is shown to clients: no host, URL or system error code.
    super(502, 'upstream unreachable', { expose: true, cause: options.cause });
    this.code = errorCode(options.cause);
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
