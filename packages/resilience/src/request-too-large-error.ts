import { hasBrand } from './brand.js';

const BRAND = Symbol.for('milkyway.request_too_large');

/**
 * A request body sent to the `proxy` helper exceeded its `maxRequestBytes`; rendered as a 413
 * problem+json and never forwarded upstream.
 *
 * @example
 * ```ts
 * import { RequestTooLargeError } from '@milkyway/resilience';
 * declare const error: unknown;
 * if (RequestTooLargeError.is(error)) console.warn(`limit was ${error.limitBytes} bytes`);
 * ```
 */
export class RequestTooLargeError extends Error {
  /** Brand check that works across duplicate installs of the package. */
  static is(error: unknown): error is RequestTooLargeError {
    return hasBrand(error, BRAND);
  }

  /** HTTP status for the problem+json response: 413. */
  readonly status = 413;
  /** Problem title. */
  readonly title = 'Content Too Large';
  /** Safe to show to clients. */
  readonly expose = true;
  /** The configured limit. */
  readonly limitBytes: number;
  /** Brand. */
  readonly [BRAND] = true;

  /** Creates the error. */
  constructor(options: { limitBytes: number }) {
    super(`request body exceeds ${options.limitBytes} bytes`);
    this.name = 'RequestTooLargeError';
    this.limitBytes = options.limitBytes;
  }
}
