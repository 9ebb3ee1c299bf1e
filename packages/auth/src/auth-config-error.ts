import { ProblemError } from '@milkyway/protocol';

/**
 * Thrown at configuration time when an auth option is unsafe or invalid (a missing
 * `algorithms` list, a short HMAC secret, a weak RSA key, HMAC mixed with public keys...).
 * Failing at start-up is the point: such a service must not boot. Should one ever surface in
 * a request, it is a 500 whose message is not shown to the client.
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
export class AuthConfigError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.auth.config');

  /** Creates the error with a message naming the offending option. */
  constructor(message: string) {
    super(500, message, { expose: false });
  }
}
