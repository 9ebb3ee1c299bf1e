const BRAND = Symbol.for('milkyway.httpError');

/**
 * Options for {@link HttpError} beyond its status and detail.
 *
 * @example
 * ```ts
 * import { HttpError, type HttpErrorOptions } from '@milkyway/core';
 *
 * const options: HttpErrorOptions = { title: 'Quota Exceeded', headers: { 'retry-after': '60' } };
 * throw new HttpError(429, 'monthly quota used up', options);
 * ```
 */
export interface HttpErrorOptions {
  /** Short, human-readable summary of the problem type. Defaults to the status' reason phrase. */
  title?: string;
  /** A URI reference identifying the problem type. Defaults to `about:blank`. */
  type?: string;
  /** A URI reference identifying this occurrence of the problem. */
  instance?: string;
  /** Extra members added to the problem document (RFC 9457 extension members). */
  extensions?: Record<string, unknown>;
  /** Response headers to send with the problem, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  /** Whether `detail` may be shown to the client. Defaults to `status < 500`. */
  expose?: boolean;
  /** The underlying error, kept for logs, never sent to the client. */
  cause?: unknown;
}

/**
 * An HTTP error rendered by the service as an RFC 9457 `application/problem+json` response.
 *
 * Any thrown object with a numeric `status` is rendered the same way (the cross-package error
 * protocol); `HttpError` is the convenient, branded implementation of it.
 *
 * @example
 * ```ts
 * import { HttpError } from '@milkyway/core';
 *
 * throw new HttpError(404, 'product not found');
 * throw new HttpError(429, 'slow down', { headers: { 'retry-after': '3' } });
 * throw new HttpError(409, 'version conflict', { extensions: { currentVersion: 7 } });
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status code (400–599). */
  readonly status: number;
  /** Short summary of the problem type (the status' reason phrase unless given). */
  readonly title: string | undefined;
  /** Problem type URI (`about:blank` unless given). */
  readonly type: string | undefined;
  /** Human-readable explanation specific to this occurrence. */
  readonly detail: string | undefined;
  /** URI reference identifying this occurrence. */
  readonly instance: string | undefined;
  /** Extra problem members. */
  readonly extensions: Record<string, unknown> | undefined;
  /** Headers sent with the problem response. */
  readonly headers: Record<string, string> | undefined;
  /** Whether `detail` is shown to the client. */
  readonly expose: boolean;
  /** @internal brand for {@link HttpError.is}. */
  readonly [BRAND] = true;

  /**
   * @param status - HTTP status code, 400–599.
   * @param detail - explanation for the client (shown when `expose`, i.e. for 4xx by default).
   * @param options - title, type, headers, extension members, expose, cause.
   */
  constructor(status: number, detail?: string, options: HttpErrorOptions = {}) {
    super(
      detail ?? options.title ?? `HTTP ${status}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'HttpError';
    this.status = status;
    this.detail = detail;
    this.title = options.title;
    this.type = options.type;
    this.instance = options.instance;
    this.extensions = options.extensions;
    this.headers = options.headers;
    this.expose = options.expose ?? status < 500;
  }

  /**
   * Brand check that works across copies of the package (unlike `instanceof`).
   *
   * @example
   * ```ts
   * import { HttpError } from '@milkyway/core';
   *
   * declare const err: unknown;
   * if (HttpError.is(err) && err.status === 404) console.warn('not found:', err.detail);
   * ```
   */
  static is(value: unknown): value is HttpError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    );
  }
}
