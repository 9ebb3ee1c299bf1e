const BRAND = Symbol.for('milkyway.auth.forbidden');

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
export class ForbiddenError extends Error {
  /** HTTP status: 403. */
  readonly status = 403;
  /** Problem title. */
  readonly title = 'Forbidden';
  /** Problem detail. */
  readonly detail: string;
  /** Response headers (`WWW-Authenticate` for missing scopes). */
  readonly headers: Record<string, string>;
  /** The message is safe to show to the client. */
  readonly expose = true;
  /** The scopes that were required, when the refusal is about scopes. */
  readonly requiredScopes: readonly string[];
  /** @internal brand */
  readonly [BRAND] = true;

  /**
   * @example
   * ```ts
   * import { ForbiddenError } from '@milkyway/auth';
   *
   * throw new ForbiddenError('not the owner of this order');
   * ```
   */
  constructor(
    detail = 'forbidden',
    headers: Record<string, string> = {},
    requiredScopes: readonly string[] = [],
  ) {
    super(detail);
    this.name = 'ForbiddenError';
    this.detail = detail;
    this.headers = headers;
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

  /**
   * Brand check (works across copies of the package, unlike `instanceof`).
   *
   * @example
   * ```ts
   * import { ForbiddenError } from '@milkyway/auth';
   *
   * declare const error: unknown;
   *
   * if (ForbiddenError.is(error)) console.log(error.requiredScopes);
   * ```
   */
  static is(error: unknown): error is ForbiddenError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true
    );
  }
}
