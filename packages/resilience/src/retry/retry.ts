import { DeadlineExceededError, isRejection } from '@milkyway/protocol';
import pRetry, { type Options as PRetryOptions } from 'p-retry';
import { asLayerFn, type Layer, registerLayer, Scope } from '../policy/scope.js';
import type { ExecuteOptions, Operation, Policy } from '../policy/types.js';
import { Emitter } from '../telemetry/events.js';
import { BoundCounter } from '../telemetry/metrics.js';
import { MAX_TIMER_MS } from '../timeout/timer-list.js';
import type { RetryBudget } from './retry-budget.js';

/**
 * Options of {@link retry}. Nothing is inherited from p-retry's defaults (10 retries, uncapped
 * delay).
 *
 * @example
 * ```ts
 * import { retry, type RetryOptions } from '@milkyway/resilience';
 * const options: RetryOptions = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
 * const retrying = retry(options);
 * ```
 */
export interface RetryOptions {
  /** Total attempts including the first (default 3: one try and up to two retries). */
  maxAttempts?: number;
  /** Backoff base: the first retry waits up to this long (default 100 ms). */
  baseDelayMs?: number;
  /** Cap on any single backoff delay (default 2 000 ms). */
  maxDelayMs?: number;
  /** `'full'` (default): each delay is uniformly random in [0, min(cap, base·2ⁿ)]; `'none'`: exactly that. */
  jitter?: 'full' | 'none';
  /**
   * Server-requested delays (`Retry-After`) above this are not waited for: the call gives up
   * with the error instead (default 5 000 ms).
   */
  maxRetryAfterMs?: number;
  /**
   * Which errors are retried; `attempt` is the index of the attempt that failed (0 = first).
   * Default: {@link isRetryable}.
   */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Reads a server-requested delay from an error (default: its numeric `retryAfterMs`). */
  retryAfter?: (error: unknown) => number | undefined;
  /** A budget shared by all calls to the dependency; a retry it refuses is not made. */
  budget?: RetryBudget;
  /** Name used in events and metric attributes. */
  name?: string;
  /** Random source for jitter in [0, 1) (tests). */
  random?: () => number;
}

/**
 * Why a retry policy stopped retrying.
 *
 * @example
 * ```ts
 * import type { GiveUpReason } from '@milkyway/resilience';
 * const loud = (r: GiveUpReason) => r === 'budget' || r === 'deadline';
 * ```
 */
export type GiveUpReason =
  | 'attempts'
  | 'predicate'
  | 'deadline'
  | 'budget'
  | 'retryAfter'
  | 'cancelled';

/**
 * Events of a {@link Retry}.
 *
 * @example
 * ```ts
 * import { retry, type RetryEvents } from '@milkyway/resilience';
 * const retrying = retry();
 * retrying.on('retry', (e: RetryEvents['retry']) => console.info('retrying', e.attempt, e.delayMs));
 * ```
 */
export interface RetryEvents {
  /** A retry is scheduled: `attempt` is the index of the attempt about to run after `delayMs`. */
  retry: { name: string; attempt: number; delayMs: number; error: unknown };
  /** The policy stopped retrying and the call fails with `error`. */
  giveUp: { name: string; attempts: number; reason: GiveUpReason; error: unknown };
}

const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);

/**
 * The default retry predicate: retries anything except Milkyway's own rejections (open breaker,
 * full bulkhead, rate limit) and errors that say otherwise: an error with a boolean `retryable`
 * is taken at its word, and one with a numeric `upstreamStatus` is retried only for 408, 429,
 * 502, 503 and 504. Timeouts are retried.
 *
 * @example
 * ```ts
 * import { isRetryable, retry } from '@milkyway/resilience';
 * const retrying = retry({ shouldRetry: (e) => isRetryable(e) && !(e instanceof SyntaxError) });
 * ```
 */
export function isRetryable(error: unknown): boolean {
  if (isRejection(error)) return false;
  if (DeadlineExceededError.is(error)) return true;
  if (typeof error === 'object' && error !== null) {
    const { retryable, upstreamStatus } = error as {
      retryable?: unknown;
      upstreamStatus?: unknown;
    };
    if (typeof retryable === 'boolean') return retryable;
    if (typeof upstreamStatus === 'number') return RETRYABLE_STATUS.has(upstreamStatus);
  }
  return true;
}

function defaultRetryAfter(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/** Wraps an attempt's error so p-retry applies no opinion of its own (it skips TypeErrors). */
class AttemptFailure extends Error {
  constructor(readonly error: unknown) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('attempt failed');
    Error.stackTraceLimit = limit;
  }
}
const wrapFailure = (error: unknown): never => {
  throw new AttemptFailure(error);
};
const unwrap = (error: unknown): unknown => (error instanceof AttemptFailure ? error.error : error);
const noop = () => {};
const yes = () => true;

function sleep(ms: number, scope: Scope): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!scope.cancellable) {
      setTimeout(resolve, ms);
      return;
    }
    const signal = scope.signal;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

class RetryCore implements Layer {
  readonly events = new Emitter<RetryEvents>();
  private readonly retries: BoundCounter;
  private readonly giveUps: BoundCounter;
  private readonly preset: Omit<PRetryOptions, 'shouldRetry'>;

  constructor(
    readonly name: string,
    readonly maxAttempts: number,
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly jitter: 'full' | 'none',
    private readonly maxRetryAfterMs: number,
    private readonly shouldRetry: (error: unknown, attempt: number) => boolean,
    private readonly retryAfter: (error: unknown) => number | undefined,
    readonly budget: RetryBudget | undefined,
    private readonly random: () => number,
  ) {
    const attributes = { 'milkyway.policy.name': name };
    this.retries = new BoundCounter('milkyway.retry.retries', 'Retries made', attributes);
    this.giveUps = new BoundCounter(
      'milkyway.retry.give_ups',
      'Calls that failed after the retry policy stopped retrying',
      attributes,
    );
    // Every p-retry option is set here once: p-retry fills missing ones on every call (~9 µs).
    // Delays are ours (full jitter, Retry-After, deadline, budget), so p-retry's are zero.
    this.preset = {
      retries: Math.max(0, maxAttempts - 2),
      factor: 1,
      minTimeout: 0,
      maxTimeout: 0,
      maxRetryTime: Number.POSITIVE_INFINITY,
      randomize: false,
      unref: false,
      onFailedAttempt: noop,
      shouldConsumeRetry: yes,
      signal: undefined,
    };
  }

  run<T>(fn: (scope: Scope) => Promise<T>, scope: Scope): Promise<T> {
    this.budget?.recordRequest();
    // The first attempt runs without p-retry: a call that succeeds costs nothing extra.
    const first = scope.attempt === 0 ? scope : scope.withAttempt(0);
    let result: Promise<T>;
    try {
      result = fn(first);
    } catch (error) {
      result = Promise.reject(error);
    }
    if (this.maxAttempts <= 1) return result;
    return result.then(undefined, (error: unknown) => this.retryFrom(fn, scope, error));
  }

  private async retryFrom<T>(
    fn: (scope: Scope) => Promise<T>,
    scope: Scope,
    error: unknown,
  ): Promise<T> {
    const state = { gaveUp: false, attempts: 1 };
    if (!(await this.prepare(error, 1, scope, state))) throw error;
    try {
      return await pRetry(
        (attempt: number) => {
          state.attempts = attempt + 1;
          let r: Promise<T>;
          try {
            r = fn(scope.withAttempt(attempt));
          } catch (e) {
            r = Promise.reject(e);
          }
          return r.then(undefined, wrapFailure);
        },
        {
          ...this.preset,
          shouldRetry: (context) =>
            this.prepare(unwrap(context.error), context.attemptNumber + 1, scope, state),
        },
      );
    } catch (failure) {
      const cause = unwrap(failure);
      if (!state.gaveUp && failure instanceof AttemptFailure) {
        this.giveUp(cause, state.attempts, 'attempts', state);
      }
      throw cause;
    }
  }

  /** Decides whether attempt `next` runs, and waits for it. Throws if cancelled while waiting. */
  private async prepare(
    error: unknown,
    next: number,
    scope: Scope,
    state: { gaveUp: boolean; attempts: number },
  ): Promise<boolean> {
    state.attempts = next;
    if (scope.aborted) return this.giveUp(error, next, 'cancelled', state);
    if (next >= this.maxAttempts) return this.giveUp(error, next, 'attempts', state);
    if (!this.shouldRetry(error, next - 1)) return this.giveUp(error, next, 'predicate', state);
    let delay = this.backoff(next);
    const requested = this.retryAfter(error);
    if (requested !== undefined) {
      if (requested > this.maxRetryAfterMs) return this.giveUp(error, next, 'retryAfter', state);
      delay = Math.max(delay, requested);
    }
    if (scope.deadline !== undefined && Date.now() + delay >= scope.deadline) {
      return this.giveUp(error, next, 'deadline', state);
    }
    if (this.budget !== undefined && !this.budget.tryAcquire()) {
      return this.giveUp(error, next, 'budget', state);
    }
    this.retries.add();
    this.events.emit('retry', { name: this.name, attempt: next, delayMs: delay, error });
    if (delay > 0) await sleep(delay, scope);
    return true;
  }

  private backoff(retry: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retry - 1));
    return this.jitter === 'full' ? Math.floor(this.random() * ceiling) : ceiling;
  }

  private giveUp(
    error: unknown,
    attempts: number,
    reason: GiveUpReason,
    state: { gaveUp: boolean },
  ): false {
    state.gaveUp = true;
    this.giveUps.add(1, { 'milkyway.retry.reason': reason });
    this.events.emit('giveUp', { name: this.name, attempts, reason, error });
    return false;
  }
}

/**
 * A retry policy, as {@link retry} builds it (the only way to make one).
 *
 * @example
 * ```ts
 * import { retry, type Retry } from '@milkyway/resilience';
 * const retrying: Retry = retry({ maxAttempts: 2 });
 * retrying.on('giveUp', (e) => console.warn(`gave up after ${e.attempts} attempts: ${e.reason}`));
 * ```
 */
export class Retry implements Policy {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  /** Name used in events and metrics. */
  readonly name: string;
  private readonly core: RetryCore;

  /** @internal Use {@link retry}. */
  constructor(options: RetryOptions = {}) {
    const maxAttempts = options.maxAttempts ?? 3;
    const baseDelayMs = options.baseDelayMs ?? 100;
    const maxDelayMs = options.maxDelayMs ?? 2_000;
    const maxRetryAfterMs = options.maxRetryAfterMs ?? 5_000;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError('maxAttempts must be an integer >= 1');
    }
    for (const delay of [baseDelayMs, maxDelayMs, maxRetryAfterMs]) {
      if (!(delay >= 0) || !(delay <= MAX_TIMER_MS)) {
        throw new RangeError(`delays must be between 0 and ${MAX_TIMER_MS} milliseconds`);
      }
    }
    this.maxAttempts = maxAttempts;
    this.name = options.name ?? 'retry';
    this.core = new RetryCore(
      this.name,
      maxAttempts,
      baseDelayMs,
      maxDelayMs,
      options.jitter ?? 'full',
      maxRetryAfterMs,
      options.shouldRetry ?? isRetryable,
      options.retryAfter ?? defaultRetryAfter,
      options.budget,
      options.random ?? Math.random,
    );
    registerLayer(this, this.core);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof RetryEvents>(event: K, listener: (e: RetryEvents[K]) => void): () => void {
    return this.core.events.on(event, listener);
  }

  /** Runs `fn`, retrying failed attempts as configured. `context.attempt` is 0 for the first try. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this.core.run(asLayerFn(fn), Scope.root(options));
  }
}

/**
 * Retries with exponential backoff, capped, with full jitter (p-retry runs the loop, every
 * option preset). Honours a server's `Retry-After` (an error's `retryAfterMs`, from seconds or
 * an HTTP-date) up to `maxRetryAfterMs`; never sleeps past the call's deadline (it gives up
 * instead); waits are abortable by the caller's signal; an optional {@link RetryBudget} caps
 * retries across all calls to a dependency. Attempts are counted from 0; `maxAttempts` counts
 * them all, the first included.
 *
 * @example
 * ```ts
 * import { retry } from '@milkyway/resilience';
 * const retrying = retry({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 });
 * const body = await retrying.execute(async ({ signal, attempt }) => {
 *   const res = await fetch('http://127.0.0.1:3001/stock', { signal });
 *   if (res.status >= 500) throw new Error(`attempt ${attempt}: ${res.status}`);
 *   return res.json();
 * });
 * ```
 */
export function retry(options?: RetryOptions): Retry {
  return new Retry(options);
}
