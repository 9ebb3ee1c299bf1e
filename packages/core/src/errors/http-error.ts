import { ProblemError, type ProblemErrorOptions } from '@milkyway/protocol';

/**
 * Options for {@link HttpError} beyond its status and detail: the protocol's
 * `ProblemErrorOptions` (title, type, instance, extensions, headers, expose, cause, stack),
 * where a custom `title` comes with a `type` URI (RFC 9457 §4.2.1: with the default type
 * `about:blank`, the title is the status phrase).
 *
 * @example
 * ```ts
 * import { HttpError, type HttpErrorOptions } from '@milkyway/core';
 *
 * const options: HttpErrorOptions = {
 *   title: 'Quota Exceeded',
 *   type: 'https://api.example/problems/quota',
 *   headers: { 'retry-after': '60' },
 * };
 * throw new HttpError(429, 'monthly quota used up', options);
 * ```
 */
export type HttpErrorOptions = Omit<ProblemErrorOptions, 'title' | 'type'> &
  (
    | { title?: undefined; type?: string }
    | {
        /** Short summary of the problem type; requires `type`. */
        title: string;
        /** The problem type URI the title summarises. */
        type: string;
      }
  );

/**
 * An HTTP error rendered by the service as an RFC 9457 `application/problem+json` response.
 *
 * Any thrown object with a numeric `status` is rendered the same way (protocol 1, problem
 * errors); `HttpError` is the general-purpose class on the shared `ProblemError` base.
 *
 * @example
 * ```ts
 * import { HttpError } from '@milkyway/core';
 *
 * declare const err: unknown;
 * if (HttpError.is(err) && err.status === 404) console.warn('not found:', err.detail);
 *
 * throw new HttpError(404, 'product not found');
 * throw new HttpError(429, 'slow down', { headers: { 'retry-after': '3' } });
 * throw new HttpError(409, 'version conflict', { extensions: { currentVersion: 7 } });
 * ```
 */
export class HttpError extends ProblemError {
  static override readonly brand: symbol = Symbol.for('milkyway.httpError');

  /**
   * @param status - HTTP status, 400–599.
   * @param detail - explanation of this occurrence; shown to clients when `expose` (4xx by default).
   * @param options - title (with a type), type, headers, extension members, expose, cause.
   */
  // The constructor only narrows the options' type (a custom title needs a type URI).
  constructor(status: number, detail?: string, options?: HttpErrorOptions) {
    super(status, detail, options);
  }
}
