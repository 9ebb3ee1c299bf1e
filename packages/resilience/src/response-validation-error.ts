import { hasBrand } from './brand.js';

const BRAND = Symbol.for('milkyway.response_validation');

/**
 * An upstream answered 2xx but its JSON body did not match the schema given to the client's
 * `json()` (or was not JSON). Rendered as a 502 problem+json; the schema library's error is
 * `cause` (never exposed to clients).
 *
 * @example
 * ```ts
 * import { ResponseValidationError } from '@milkyway/resilience';
 * declare const error: unknown;
 * if (ResponseValidationError.is(error)) console.error('catalog contract broken', error.cause);
 * ```
 */
export class ResponseValidationError extends Error {
  /** Brand check that works across duplicate installs of the package. */
  static is(error: unknown): error is ResponseValidationError {
    return hasBrand(error, BRAND);
  }

  /** HTTP status for the problem+json response: 502. */
  readonly status = 502;
  /** Problem title. */
  readonly title = 'Bad Gateway';
  /** Safe to show to clients (the message does not include the body). */
  readonly expose = true;
  /** URL of the upstream request. */
  readonly url: string;
  /** Brand. */
  readonly [BRAND] = true;

  /** Creates the error. */
  constructor(options: { url: string; cause: unknown }) {
    super('upstream response did not match the expected schema', { cause: options.cause });
    this.name = 'ResponseValidationError';
    this.url = options.url;
  }
}
