import { hasBrand } from './brand.js';

const BRAND = Symbol.for('milkyway.response_too_large');

/**
 * An upstream response body exceeded the client's `maxResponseBytes`. The body is not
 * forwarded; the error renders as a 502 problem+json (the upstream misbehaved, not your caller).
 * For a request body over the `proxy` helper's limit, see {@link RequestTooLargeError} (413).
 *
 * @example
 * ```ts
 * import { ResponseTooLargeError } from '@milkyway/resilience';
 * declare const error: unknown;
 * if (ResponseTooLargeError.is(error)) console.warn(`limit was ${error.limitBytes} bytes`);
 * ```
 */
export class ResponseTooLargeError extends Error {
  /** Brand check that works across duplicate installs of the package. */
  static is(error: unknown): error is ResponseTooLargeError {
    return hasBrand(error, BRAND);
  }

  /** HTTP status for the problem+json response: 502. */
  readonly status = 502;
  /** Problem title. */
  readonly title = 'Bad Gateway';
  /** Safe to show to clients. */
  readonly expose = true;
  /** The configured limit. */
  readonly limitBytes: number;
  /** Brand. */
  readonly [BRAND] = true;

  /** Creates the error. */
  constructor(options: { limitBytes: number }) {
    super(`upstream response exceeds ${options.limitBytes} bytes`);
    this.name = 'ResponseTooLargeError';
    this.limitBytes = options.limitBytes;
  }
}
