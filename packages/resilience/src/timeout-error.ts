import { hasBrand } from './brand.js';

const BRAND = Symbol.for('milkyway.timeout');

/**
 * Thrown (and used as the abort reason of the attempt's `AbortSignal`) when a timeout or a
 * deadline expires. Rendered by `@milkyway/core` as a 504 problem+json. A caller's own
 * cancellation is never reported as a `TimeoutError`: it surfaces as the caller's abort reason.
 *
 * @example
 * ```ts
 * import { TimeoutError, timeout } from '@milkyway/resilience';
 * const attemptTimeout = timeout(1_000);
 * try {
 *   await attemptTimeout.execute(({ signal }) => fetch('http://127.0.0.1:3001/slow', { signal }));
 * } catch (error) {
 *   if (TimeoutError.is(error)) console.warn(`gave up after ${error.timeoutMs} ms`);
 * }
 * ```
 */
export class TimeoutError extends Error {
  /** Brand check that works across duplicate installs of the package. */
  static is(error: unknown): error is TimeoutError {
    return hasBrand(error, BRAND);
  }

  /** HTTP status for the problem+json response: 504. */
  readonly status = 504;
  /** Problem title. */
  readonly title = 'Gateway Timeout';
  /** Safe to show to clients. */
  readonly expose = true;
  /** The budget that ran out, in milliseconds. */
  readonly timeoutMs: number;
  /** `'timeout'` when a timeout policy's own duration ran out, `'deadline'` when the call's deadline did. */
  readonly reason: 'timeout' | 'deadline';
  /** Name of the policy whose time ran out, if known (for logs). */
  readonly policy: string | undefined;
  /** Brand. */
  readonly [BRAND] = true;

  /** Creates the error. */
  constructor(options: { timeoutMs: number; reason?: 'timeout' | 'deadline'; name?: string }) {
    const reason = options.reason ?? 'timeout';
    // The message is shown to clients: no policy names (they may be internal hosts).
    super(reason === 'deadline' ? 'deadline exceeded' : `timed out after ${options.timeoutMs} ms`);
    this.name = 'TimeoutError';
    this.timeoutMs = options.timeoutMs;
    this.reason = reason;
    this.policy = options.name;
  }
}
