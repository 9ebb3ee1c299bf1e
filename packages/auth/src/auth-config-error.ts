const BRAND = Symbol.for('milkyway.auth.config');

/**
 * Thrown at configuration time when an auth option is unsafe or invalid (a missing
 * `algorithms` list, a short HMAC secret, a weak RSA key, HMAC mixed with public keys...).
 * Failing at start-up is the point: such a service must not boot.
 *
 * @example
 * ```ts
 * import { AuthConfigError, createVerifier } from '@milkyway/auth';
 *
 * try {
 *   createVerifier({ algorithms: ['HS256'], secret: 'short', issuer: false, audience: false });
 * } catch (error) {
 *   AuthConfigError.is(error); // true
 * }
 * ```
 */
export class AuthConfigError extends Error {
  /** @internal brand */
  readonly [BRAND] = true;

  /**
   * @example
   * ```ts
   * import { AuthConfigError } from '@milkyway/auth';
   *
   * throw new AuthConfigError('"issuer" is required (or false to turn the check off)');
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }

  /**
   * Brand check.
   *
   * @example
   * ```ts
   * import { AuthConfigError } from '@milkyway/auth';
   *
   * AuthConfigError.is(new AuthConfigError('x')); // true
   * ```
   */
  static is(error: unknown): error is AuthConfigError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true
    );
  }
}
