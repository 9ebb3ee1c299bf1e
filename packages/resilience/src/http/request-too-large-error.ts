import { ProblemError } from '@milkyway/protocol';

/**
 * A request body sent to the `proxy` helper exceeded its `maxRequestBytes`: a 413
 * problem+json; the body is never forwarded upstream.
 *
 * @example
 * ```ts
 * import { RequestTooLargeError } from '@milkyway/resilience/http';
 * declare const error: unknown;
 * if (RequestTooLargeError.is(error)) console.warn(`limit was ${error.limitBytes} bytes`);
 * ```
 */
export class RequestTooLargeError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.request_too_large');

  /** The configured limit. */
  readonly limitBytes: number;

  /** Creates the error. */
  constructor(options: { limitBytes: number }) {
    super(413, `request body exceeds ${options.limitBytes} bytes`);
    this.limitBytes = options.limitBytes;
  }
}
