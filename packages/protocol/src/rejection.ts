/**
 * Protocol 10 — rejections. Milkyway's own load-shedding refusals (an open breaker, a full
 * bulkhead, a rate limit) carry `error[REJECTION] === true`, so a breaker never counts them as
 * failures of a dependency and telemetry can tell "we refused" from "it failed".
 *
 * @example
 * ```ts
 * import { ProblemError, REJECTION } from '@milkyway/protocol';
 *
 * class QueueFullError extends ProblemError {
 *   static override readonly brand: symbol = Symbol.for('example.queue_full');
 *   static {
 *     Object.defineProperty(QueueFullError.prototype, REJECTION, { value: true });
 *   }
 * }
 * ```
 */
export const REJECTION: unique symbol = Symbol.for('milkyway.rejection') as never;

/**
 * True when the error is one of Milkyway's own rejections rather than a failure of the
 * dependency.
 *
 * @example
 * ```ts
 * import { isRejection } from '@milkyway/protocol';
 *
 * declare const error: unknown;
 * if (!isRejection(error)) console.error('the dependency failed', error);
 * ```
 */
export function isRejection(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[REJECTION] === true
  );
}
