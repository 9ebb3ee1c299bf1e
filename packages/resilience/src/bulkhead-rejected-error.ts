import { hasBrand, REJECTION, retryAfterSeconds } from './brand.js';

const BRAND = Symbol.for('milkyway.bulkhead_rejected');

/**
 * Thrown at once when a bulkhead has all its slots busy and its queue full. Rendered by
 * `@milkyway/core` as a 503 problem+json, with `Retry-After` when `retryAfterMs` is set. It has
 * no stack trace: it is a fast-fail on a hot path.
 *
 * @example
 * ```ts
 * import { BulkheadRejectedError, bulkhead } from '@milkyway/resilience';
 * declare function render(): Promise<string>;
 * const pool = bulkhead({ maxConcurrent: 4 });
 * let shed = 0;
 * try {
 *   await pool.execute(() => render());
 * } catch (error) {
 *   if (BulkheadRejectedError.is(error)) shed++;
 * }
 * ```
 */
export class BulkheadRejectedError extends Error {
  /** Brand check that works across duplicate installs of the package. */
  static is(error: unknown): error is BulkheadRejectedError {
    return hasBrand(error, BRAND);
  }

  /** HTTP status for the problem+json response: 503. */
  readonly status = 503;
  /** Problem title. */
  readonly title = 'Service Unavailable';
  /** Headers for the response (`Retry-After` when a hint was given). */
  readonly headers: Record<string, string>;
  /** Safe to show to clients. */
  readonly expose = true;
  /** The bulkhead's concurrency limit. */
  readonly maxConcurrent: number;
  /** The bulkhead's queue limit. */
  readonly maxQueue: number;
  /** Hint for the client, in milliseconds, if configured. */
  readonly retryAfterMs: number | undefined;
  /** Name of the bulkhead. */
  readonly bulkhead: string;
  /** Brand. */
  readonly [BRAND] = true;
  /** Marks Milkyway's own rejections: never counted as a dependency failure. */
  readonly [REJECTION] = true;

  /** Creates the error. */
  constructor(options: {
    maxConcurrent: number;
    maxQueue: number;
    bulkhead?: string;
    retryAfterMs?: number;
  }) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`bulkhead '${options.bulkhead ?? 'bulkhead'}' is full`);
    Error.stackTraceLimit = limit;
    this.name = 'BulkheadRejectedError';
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueue = options.maxQueue;
    this.bulkhead = options.bulkhead ?? 'bulkhead';
    this.retryAfterMs = options.retryAfterMs;
    this.headers =
      options.retryAfterMs === undefined
        ? {}
        : { 'retry-after': retryAfterSeconds(options.retryAfterMs) };
  }
}
