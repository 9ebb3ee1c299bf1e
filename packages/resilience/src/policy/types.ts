/**
 * What a wrapped function receives: the signal to honour, the attempt number and the deadline.
 *
 * @example
 * ```ts
 * import type { CallContext } from '@milkyway/resilience';
 * const base = 'http://127.0.0.1:3001';
 * const load = ({ signal, attempt }: CallContext) => fetch(`${base}/x?try=${attempt}`, { signal });
 * ```
 */
export interface CallContext {
  /**
   * Aborts when the call's time is up (reason: a `DeadlineExceededError`) or the caller cancels (reason:
   * the caller's reason). Created lazily on first read, so functions that never read it cost
   * nothing extra.
   */
  readonly signal: AbortSignal;
  /** 0 for the first try, 1 for the first retry, and so on. */
  readonly attempt: number;
  /** Absolute deadline (epoch milliseconds) for this attempt, if any. */
  readonly deadline: number | undefined;
}

/**
 * A function a policy can run.
 *
 * @example
 * ```ts
 * import type { Operation } from '@milkyway/resilience';
 * const op: Operation<Response> = ({ signal }) => fetch('http://127.0.0.1:3001/health', { signal });
 * ```
 */
export type Operation<T> = (context: CallContext) => PromiseLike<T> | T;

/**
 * Per-call options of `execute`.
 *
 * @example
 * ```ts
 * import type { ExecuteOptions } from '@milkyway/resilience';
 * const options: ExecuteOptions = { signal: AbortSignal.timeout(2_000), deadline: Date.now() + 2_000 };
 * ```
 */
export interface ExecuteOptions {
  /** The caller's cancellation (e.g. the incoming request's `c.var.signal`). */
  signal?: AbortSignal | undefined;
  /** Absolute deadline in epoch milliseconds (e.g. `c.var.deadline`). */
  deadline?: number | undefined;
}

/**
 * Anything that runs an operation under a resilience rule: every primitive and every
 * composition of them.
 *
 * @example
 * ```ts
 * import { policy, type Policy } from '@milkyway/resilience';
 * const p: Policy = policy({ attemptTimeoutMs: 1000 });
 * await p.execute(({ signal }) => fetch('http://127.0.0.1:3001/health', { signal }));
 * ```
 */
export interface Policy {
  /** Runs `fn` under this policy. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T>;
}
