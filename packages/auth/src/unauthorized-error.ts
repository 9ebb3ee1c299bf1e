const BRAND = Symbol.for('milkyway.auth.unauthorized');

/**
 * Why a request was not authenticated. Kept on the error for logs and metrics; never sent to
 * the client (the response only says `invalid_token`, which helps no attacker).
 *
 * @example
 * ```ts
 * import { type AuthFailureReason } from '@milkyway/auth';
 *
 * const reason: AuthFailureReason = 'expired';
 * ```
 */
export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'too_long'
  | 'not_canonical'
  | 'header'
  | 'algorithm'
  | 'crit'
  | 'no_key'
  | 'ambiguous_key'
  | 'signature'
  | 'payload'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'too_old'
  | 'issuer'
  | 'audience'
  | 'type'
  | 'missing_claim'
  | 'claims'
  | 'subject'
  | 'api_key';

/**
 * Options of {@link UnauthorizedError}.
 *
 * @example
 * ```ts
 * import type { UnauthorizedErrorOptions } from '@milkyway/auth';
 *
 * const options: UnauthorizedErrorOptions = { reason: 'expired', challenge: 'Bearer error="invalid_token"' };
 * ```
 */
export interface UnauthorizedErrorOptions {
  /** Why authentication failed (internal: logs and metrics only). */
  reason: AuthFailureReason;
  /** The `WWW-Authenticate` challenge to send back. */
  challenge: string;
  /** The underlying error, kept for debugging; never rendered. */
  cause?: unknown;
}

/**
 * 401 Unauthorized, rendered by `@milkyway/core` as problem+json with a `WWW-Authenticate`
 * challenge (RFC 6750 §3): `Bearer` alone when no credentials were sent,
 * `Bearer error="invalid_token"` when a token was sent and refused. The detail never says why.
 *
 * @example
 * ```ts
 * import { UnauthorizedError, type Verifier } from '@milkyway/auth';
 *
 * declare const token: string;
 * declare const verifier: Verifier;
 *
 * try {
 *   await verifier.verify(token);
 * } catch (error) {
 *   if (UnauthorizedError.is(error)) console.log(error.reason); // e.g. 'expired'
 *   throw error;
 * }
 * ```
 */
export class UnauthorizedError extends Error {
  /** HTTP status: 401. */
  readonly status = 401;
  /** Problem title. */
  readonly title = 'Unauthorized';
  /** Problem detail: deliberately generic. */
  readonly detail: string;
  /** Response headers (`WWW-Authenticate`). */
  readonly headers: Record<string, string>;
  /** The message is safe to show to the client. */
  readonly expose = true;
  /** Why authentication failed (not rendered). */
  readonly reason: AuthFailureReason;
  /** @internal brand */
  readonly [BRAND] = true;

  /**
   * @example
   * ```ts
   * import { UnauthorizedError } from '@milkyway/auth';
   *
   * declare const error: unknown;
   *
   * throw new UnauthorizedError({ reason: 'expired', challenge: 'Bearer error="invalid_token"' });
   * ```
   */
  constructor(options: UnauthorizedErrorOptions) {
    const detail = options.reason === 'missing' ? 'authentication required' : 'invalid credentials';
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UnauthorizedError';
    this.detail = detail;
    this.reason = options.reason;
    this.headers = { 'www-authenticate': options.challenge };
  }

  /**
   * A refused bearer token: `WWW-Authenticate: Bearer error="invalid_token"`.
   *
   * @example
   * ```ts
   * import { UnauthorizedError } from '@milkyway/auth';
   *
   * throw UnauthorizedError.invalidToken('signature');
   * ```
   */
  static invalidToken(
    reason: AuthFailureReason,
    cause?: unknown,
    realm?: string,
  ): UnauthorizedError {
    return new UnauthorizedError({
      reason,
      cause,
      challenge: `Bearer ${realm === undefined ? '' : `realm="${realm}", `}error="invalid_token"`,
    });
  }

  /**
   * No credentials at all: `WWW-Authenticate: Bearer` (RFC 6750 §3.1: no error code).
   *
   * @example
   * ```ts
   * import { UnauthorizedError } from '@milkyway/auth';
   *
   * throw UnauthorizedError.missing('Bearer');
   * ```
   */
  static missing(scheme = 'Bearer', realm?: string): UnauthorizedError {
    return new UnauthorizedError({
      reason: 'missing',
      challenge: realm === undefined ? scheme : `${scheme} realm="${realm}"`,
    });
  }

  /**
   * Brand check (works across copies of the package, unlike `instanceof`).
   *
   * @example
   * ```ts
   * import { Hono } from 'hono';
   * import { UnauthorizedError } from '@milkyway/auth';
   *
   * declare const app: Hono;
   *
   * app.onError((error, c) => (UnauthorizedError.is(error) ? c.text('who are you?', 401) : c.text('oops', 500)));
   * ```
   */
  static is(error: unknown): error is UnauthorizedError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true
    );
  }
}
