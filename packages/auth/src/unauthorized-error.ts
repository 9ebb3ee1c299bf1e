import { ProblemError } from '@milkyway/protocol';

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
 * No stack trace is captured: a refusal is an expected answer, and a flood of forged tokens
 * should cost as little as possible.
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
export class UnauthorizedError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.auth.unauthorized');

  /** Why authentication failed (not rendered). */
  readonly reason: AuthFailureReason;
  declare readonly headers: Record<string, string>;

  /** Creates the error; the detail only says whether credentials were missing or refused. */
  constructor(options: UnauthorizedErrorOptions) {
    super(401, options.reason === 'missing' ? 'authentication required' : 'invalid credentials', {
      headers: { 'www-authenticate': options.challenge },
      cause: options.cause,
      stack: false,
    });
    this.reason = options.reason;
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
}
