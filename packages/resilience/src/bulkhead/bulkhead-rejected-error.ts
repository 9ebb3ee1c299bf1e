import { ProblemError, REJECTION } from '@milkyway/protocol';
import { retryAfterSeconds } from '../retry/retry-after.js';

/**
 * Thrown at once when a bulkhead has all its slots busy and its queue full: a 503
 * problem+json (protocol 1), with `Retry-After` when `retryAfterMs` is set. A rejection
 * (protocol 10): no breaker counts it as a dependency failure. No stack trace: it is a
 * fast-fail on a hot path.
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
export class BulkheadRejectedError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.bulkhead_rejected');
  static {
    Object.defineProperty(BulkheadRejectedError.prototype, REJECTION, { value: true });
  }

  /** The bulkhead's concurrency limit. */
  readonly maxConcurrent: number;
  /** The bulkhead's queue limit. */
  readonly maxQueue: number;
  /** Hint for the client, in milliseconds, if configured. */
  readonly retryAfterMs: number | undefined;
  /** Name of the bulkhead (for logs; never sent to clients). */
  readonly bulkhead: string;

  /** Creates the error. */
  constructor(options: {
    maxConcurrent: number;
    maxQueue: number;
    bulkhead?: string;
    retryAfterMs?: number;
  }) {
    // The detail is shown to clients: no names. See `bulkhead`.
    super(503, 'too many concurrent requests', {
      expose: true,
      stack: false,
      ...(options.retryAfterMs === undefined
        ? {}
        : { headers: { 'retry-after': retryAfterSeconds(options.retryAfterMs) } }),
    });
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueue = options.maxQueue;
    this.bulkhead = options.bulkhead ?? 'bulkhead';
    this.retryAfterMs = options.retryAfterMs;
  }
}
