import { ProblemError } from './problem-error.js';

/**
 * The one error for a passed deadline or an expired timeout (504 problem+json), whoever
 * noticed it: core's request deadline, a resilience timeout policy, a message handler's
 * deadline. It is also the abort reason of the `AbortSignal` that fired. A caller's own
 * cancellation is never reported as this error.
 *
 * @example
 * ```ts
 * import { DeadlineExceededError } from '@milkyway/protocol';
 *
 * declare const signal: AbortSignal;
 * try {
 *   await fetch('http://127.0.0.1:3001/slow', { signal });
 * } catch (error) {
 *   if (DeadlineExceededError.is(error)) console.warn(`gave up after ${error.timeoutMs} ms`);
 * }
 * ```
 */
export class DeadlineExceededError extends ProblemError {
  static override readonly brand: symbol = Symbol.for('milkyway.timeout');

  /** The budget that ran out, in milliseconds (when known). */
  readonly timeoutMs: number | undefined;
  /** `'timeout'`: a policy's own duration ran out; `'deadline'`: the caller's deadline did. */
  readonly reason: 'timeout' | 'deadline';
  /** Name of the policy or component whose time ran out, for logs (never sent to clients). */
  readonly source: string | undefined;

  /** Creates the error; the message names no internals (it is shown to clients). */
  constructor(
    options: { timeoutMs?: number; reason?: 'timeout' | 'deadline'; source?: string } = {},
  ) {
    const reason = options.reason ?? 'deadline';
    super(
      504,
      reason === 'deadline' || options.timeoutMs === undefined
        ? 'deadline exceeded'
        : `timed out after ${options.timeoutMs} ms`,
      { expose: true },
    );
    this.timeoutMs = options.timeoutMs;
    this.reason = reason;
    this.source = options.source;
  }
}
