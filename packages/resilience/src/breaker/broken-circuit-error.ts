import { ProblemError, REJECTION } from '@milkyway/protocol';
import { retryAfterSeconds } from '../retry/retry-after.js';

/**
 * Thrown at once, without calling the function, when a circuit breaker is open (or half-open
 * with its probe already in flight): a 503 problem+json with `Retry-After` (protocol 1). A
 * rejection (protocol 10): no breaker or retry counts it as a dependency failure. No stack
 * trace: it is a fast-fail on a hot path.
 *
 * @example
 * ```ts
 * import { BrokenCircuitError, circuitBreaker } from '@milkyway/resilience';
 * declare function callCatalog(): Promise<unknown>;
 * const breaker = circuitBreaker({ name: 'catalog' });
 * try {
 *   await breaker.execute(() => callCatalog());
 * } catch (error) {
 *   if (BrokenCircuitError.is(error)) console.warn(`retry in ${error.retryAfterMs} ms`);
 * }
 * ```
 */
export class BrokenCircuitError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.broken_circuit');
  static {
    Object.defineProperty(BrokenCircuitError.prototype, REJECTION, { value: true });
  }

  /** Milliseconds until the breaker lets a probe through (0 when it is due now). */
  readonly retryAfterMs: number;
  /** Name of the breaker that rejected the call (for logs; never sent to clients). */
  readonly breaker: string;

  /** Creates the error; `retryAfterMs` is clamped at 0. */
  constructor(options: { breaker: string; retryAfterMs: number }) {
    const retryAfterMs = Math.max(0, options.retryAfterMs);
    // The detail is shown to clients: no names (they may be internal hosts). See `breaker`.
    super(503, 'circuit breaker is open', {
      expose: true,
      stack: false,
      headers: { 'retry-after': retryAfterSeconds(retryAfterMs) },
    });
    this.breaker = options.breaker;
    this.retryAfterMs = retryAfterMs;
  }
}
