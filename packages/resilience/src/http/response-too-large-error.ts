import { ProblemError } from '@milkyway/protocol';

/**
 * An upstream response body exceeded the client's `maxResponseBytes`. The body is not
 * forwarded; the error is a 502 problem+json (the upstream misbehaved, not your caller) whose
 * detail does not name the limit. For a request body over the `proxy` helper's limit, see
 * {@link RequestTooLargeError} (413).
 *
 * @example
 * ```ts
 * import { ResponseTooLargeError } from '@milkyway/resilience/http';
 * declare const error: unknown;
 * if (ResponseTooLargeError.is(error)) console.warn(`limit was ${error.limitBytes} bytes`);
 * ```
 */
export class ResponseTooLargeError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.response_too_large');

  /** The configured limit. */
  readonly limitBytes: number;

  /** Creates the error. */
  constructor(options: { limitBytes: number }) {
    super(502, 'upstream response too large', { expose: true });
    this.limitBytes = options.limitBytes;
  }
}
