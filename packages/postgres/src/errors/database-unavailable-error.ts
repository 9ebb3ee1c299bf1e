import { ProblemError } from '@milkyway/protocol';

/**
 * PostgreSQL could not be reached (refused, reset, terminated, connect or statement timeout).
 * A 503 problem with `Retry-After`: `@milkyway/core` renders it as `application/problem+json`,
 * so a request that writes while the database is down gets a clear, retryable answer. The
 * driver error is kept as `cause` (for logs only).
 *
 * @example
 * ```ts
 * import { DatabaseUnavailableError } from '@milkyway/postgres';
 *
 * declare const error: unknown;
 * if (DatabaseUnavailableError.is(error)) console.warn(error.status, error.reason); // 503 'connection refused'
 * ```
 */
export class DatabaseUnavailableError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.postgres.database_unavailable');

  /**
   * @param reason - what failed, in a few words (`connection refused`, `statement timeout`).
   * @param cause - the driver's error.
   * @param retryAfterSeconds - the `Retry-After` hint sent to clients.
   */
  constructor(
    readonly reason: string,
    cause?: unknown,
    retryAfterSeconds = 2,
  ) {
    super(503, 'the database is unavailable, retry later', {
      title: 'Database Unavailable',
      type: 'https://milkyway.dev/problems/database-unavailable',
      headers: { 'retry-after': String(retryAfterSeconds) },
      cause,
    });
  }
}
