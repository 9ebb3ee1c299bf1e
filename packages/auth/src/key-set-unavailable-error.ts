import { ProblemError } from '@milkyway/protocol';

/**
 * 503: the remote JWKS could not be fetched (timeout, network error, non-200, malformed) and no
 * previously fetched keys can verify the token. A token is not "invalid" because the identity
 * provider is down, so this is not a 401; clients should retry after `Retry-After` seconds.
 *
 * @example
 * ```ts
 * import type { Logger } from '@milkyway/protocol';
 * import { KeySetUnavailableError } from '@milkyway/auth';
 *
 * declare const error: unknown;
 * declare const logger: Logger;
 *
 * if (KeySetUnavailableError.is(error)) logger.warn({ err: error.cause }, 'JWKS unavailable');
 * ```
 */
export class KeySetUnavailableError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.auth.keySetUnavailable');

  declare readonly headers: Record<string, string>;

  /** Creates the error; `retryAfterSeconds` becomes the `Retry-After` header (at least 1). */
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(503, 'token verification keys are unavailable', {
      expose: true,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      cause,
    });
  }
}
