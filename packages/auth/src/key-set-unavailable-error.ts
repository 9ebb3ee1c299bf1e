const BRAND = Symbol.for('milkyway.auth.keySetUnavailable');

/**
 * 503: the remote JWKS could not be fetched (timeout, network error, non-200, malformed) and no
 * previously fetched keys can verify the token. A token is not "invalid" because the identity
 * provider is down, so this is not a 401; clients should retry later.
 *
 * @example
 * ```ts
 * import { KeySetUnavailableError } from '@milkyway/auth';
 *
 * declare const error: unknown;
 * declare const logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void; debug(o: object, m?: string): void };
 *
 * if (KeySetUnavailableError.is(error)) logger.warn({ err: error.cause }, 'JWKS unavailable');
 * ```
 */
export class KeySetUnavailableError extends Error {
  /** HTTP status: 503. */
  readonly status = 503;
  /** Problem title. */
  readonly title = 'Service Unavailable';
  /** Problem detail. */
  readonly detail = 'token verification keys are unavailable';
  /** Response headers (`Retry-After`). */
  readonly headers: Record<string, string>;
  /** The message is safe to show to the client. */
  readonly expose = true;
  /** @internal brand */
  readonly [BRAND] = true;

  /**
   * @example
   * ```ts
   * import { KeySetUnavailableError } from '@milkyway/auth';
   *
   * throw new KeySetUnavailableError(30, new Error('fetch failed'));
   * ```
   */
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super('token verification keys are unavailable', cause === undefined ? undefined : { cause });
    this.name = 'KeySetUnavailableError';
    this.headers = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }

  /**
   * Brand check.
   *
   * @example
   * ```ts
   * import { KeySetUnavailableError } from '@milkyway/auth';
   *
   * declare const error: unknown;
   *
   * KeySetUnavailableError.is(error);
   * ```
   */
  static is(error: unknown): error is KeySetUnavailableError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true
    );
  }
}
