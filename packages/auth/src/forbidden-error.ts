import { ProblemError } from '@milkyway/protocol';

/**
 * 403 Forbidden: the caller is authenticated but not allowed. For missing scopes it carries
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` (RFC 6750 §3.1).
 *
 * @example
 * ```ts
 * import { ForbiddenError, type Principal } from '@milkyway/auth';
 *
 * declare const principal: Principal;
 *
 * if (!principal.scopes.includes('orders:write')) throw ForbiddenError.insufficientScope(['orders:write']);
 * ```
 */
export class ForbiddenError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.auth.forbidden');

  /** The scopes that were required, when the refusal is about scopes. */
  readonly requiredScopes: readonly string[];

  /** Creates the error; `detail` is shown to the client. */
  constructor(
    detail = 'forbidden',
    headers: Record<string, string> = {},
    requiredScopes: readonly string[] = [],
  ) {
    super(403, detail, { headers, stack: false });
    this.requiredScopes = requiredScopes;
  }

  /**
   * Missing scopes: 403 with `Bearer error="insufficient_scope", scope="a b"`.
   *
   * @example
   * ```ts
   * import { ForbiddenError } from '@milkyway/auth';
   *
   * throw ForbiddenError.insufficientScope(['catalog:read']);
   * ```
   */
  static insufficientScope(scopes: readonly string[], scheme = 'Bearer'): ForbiddenError {
    return new ForbiddenError(
      'insufficient scope',
      { 'www-authenticate': `${scheme} error="insufficient_scope", scope="${scopes.join(' ')}"` },
      scopes,
    );
  }
}
