import { hasBrand, REJECTION, retryAfterSeconds } from './brand.js';

const BRAND = Symbol.for('milkyway.broken_circuit');

/**
 * Thrown at once, without calling the function, when a circuit breaker is open (or half-open
 * with its probe already in flight). Rendered by `@milkyway/core` as a 503 problem+json with a
 * `Retry-After` header. It has no stack trace and keeps its constant fields on the prototype:
 * it is a fast-fail on a hot path.
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
export class BrokenCircuitError extends Error {
  /** Brand check that works across duplicate installs of the package. */
  static is(error: unknown): error is BrokenCircuitError {
    return hasBrand(error, BRAND);
  }

  static {
    Object.defineProperties(BrokenCircuitError.prototype, {
      name: { value: 'BrokenCircuitError', writable: true, configurable: true },
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
  /** Milliseconds until the breaker lets a probe through (0 when it is due now). */
  readonly retryAfterMs: number;
  /** Name of the breaker that rejected the call. */
  readonly breaker: string;

  /** Creates the error; `retryAfterMs` is clamped at 0. */
  constructor(options: { breaker: string; retryAfterMs: number }) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    // The message is shown to clients: no names (they may be internal hosts). See `breaker`.
    super('circuit breaker is open');
    Error.stackTraceLimit = limit;
    this.breaker = options.breaker;
    this.retryAfterMs = Math.max(0, options.retryAfterMs);
  }

  /** Headers for the response: `Retry-After` in whole seconds. */
  get headers(): Record<string, string> {
    return { 'retry-after': retryAfterSeconds(this.retryAfterMs) };
  }
}
