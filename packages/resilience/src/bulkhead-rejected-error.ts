import { hasBrand, REJECTION, retryAfterSeconds } from './brand.js';

const BRAND = Symbol.for('milkyway.bulkhead_rejected');

/**
 * Thrown at once when a bulkhead has all its slots busy and its queue full. Rendered by
 * `@milkyway/core` as a 503 problem+json, with `Retry-After` when `retryAfterMs` is set. It has
 * no stack trace and keeps its constant fields on the prototype: it is a fast-fail on a hot path.
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

  static {
    Object.defineProperties(BulkheadRejectedError.prototype, {
      name: { value: 'BulkheadRejectedError', writable: true, configurable: true },
      status: { value: 503 },
      title: { value: 'Service Unavailable' },
      expose: { value: true },
      [BRAND]: { value: true },
      [REJECTION]: { value: true },
    });
  }

  /** HTTP status for the problem+json response: 503. */
  declare readonly status: 503;
  /** Problem title. */
  declare readonly title: string;
  /** Safe to show to clients. */
  declare readonly expose: true;
  /** The bulkhead's concurrency limit. */
  readonly maxConcurrent: number;
  /** The bulkhead's queue limit. */
  readonly maxQueue: number;
  /** Hint for the client, in milliseconds, if configured. */
  readonly retryAfterMs: number | undefined;
  /** Name of the bulkhead. */
  readonly bulkhead: string;

  /** Creates the error. */
  constructor(options: {
    maxConcurrent: number;
    maxQueue: number;
    bulkhead?: string;
    retryAfterMs?: number;
  }) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    // The message is shown to clients: no names. See `bulkhead`.
    super('too many concurrent requests');
    Error.stackTraceLimit = limit;
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueue = options.maxQueue;
    this.bulkhead = options.bulkhead ?? 'bulkhead';
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Headers for the response (`Retry-After` when a hint was given). */
  get headers(): Record<string, string> {
    return this.retryAfterMs === undefined
      ? {}
      : { 'retry-after': retryAfterSeconds(this.retryAfterMs) };
  }
}
