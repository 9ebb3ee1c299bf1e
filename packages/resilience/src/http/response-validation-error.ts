import { ProblemError } from '@milkyway/protocol';

/**
 * An upstream answered 2xx but its JSON body did not match the schema given to the client's
 * `json()` (or was not JSON): a 502 problem+json; the schema library's error is `cause` (never
 * shown to clients).
 *
 * @example
 * ```ts
 * import { ResponseValidationError } from '@milkyway/resilience/http';
 * declare const error: unknown;
 * if (ResponseValidationError.is(error)) console.error('catalog contract broken', error.cause);
 * ```
 */
export class ResponseValidationError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.response_validation');

  /** URL of the upstream request (for logs; never sent to clients). */
  readonly url: string;

  /** Creates the error. */
  constructor(options: { url: string; cause: unknown }) {
    super(502, 'upstream response did not match the expected schema', {
      expose: true,
      cause: options.cause,
    });
    this.url = options.url;
  }
}
