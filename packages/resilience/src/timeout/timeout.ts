import { DeadlineExceededError } from '@milkyway/protocol';
import { asLayerFn, type Layer, registerLayer, Scope } from '../policy/scope.js';
import type { ExecuteOptions, Operation, Policy } from '../policy/types.js';
import { Emitter } from '../telemetry/events.js';
import { BoundCounter } from '../telemetry/metrics.js';
import { MAX_TIMER_MS, TimerEntry, TimerList } from './timer-list.js';

/**
 * Options of {@link timeout}.
 *
 * @example
 * ```ts
 * import { timeout, type TimeoutOptions } from '@milkyway/resilience';
 * const options: TimeoutOptions = { name: 'catalog.attempt' };
 * const perAttempt = timeout(1_000, options);
 * ```
 */
export interface TimeoutOptions {
  /** Name used in errors, events and metric attributes. */
  name?: string;
}

/**
 * Events of a {@link Timeout}.
 *
 * @example
 * ```ts
 * import { timeout, type TimeoutEvents } from '@milkyway/resilience';
 * const perAttempt = timeout(1_000);
 * const off = perAttempt.on('timeout', (e: TimeoutEvents['timeout']) => console.warn(e.timeoutMs));
 * off();
 * ```
 */
export interface TimeoutEvents {
  /** A call ran out of time (not emitted for a caller's cancellation). */
  timeout: { name: string; timeoutMs: number; reason: 'timeout' | 'deadline' };
}

class Pending<T> extends TimerEntry {
  settled = false;
  constructor(
    readonly policy: TimeoutCore,
    readonly scope: Scope,
    readonly resolve: (value: T) => void,
    readonly reject: (reason: unknown) => void,
    readonly reason: 'timeout' | 'deadline',
  ) {
    super();
  }

  expire(): void {
    if (this.settled) return;
    this.policy.expire(this as unknown as Pending<unknown>);
  }

  fulfil = (value: T): void => {
    if (this.settled) return;
    this.finish();
    this.resolve(value);
  };

  fail = (error: unknown): void => {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  };

  onCallerAbort: (() => void) | undefined = undefined;

  watch(caller: AbortSignal): void {
    const onAbort = (): void => {
      if (this.settled) return;
      this.finish();
      const reason = this.scope.reason;
      this.scope.abort(reason);
      this.reject(reason);
    };
    this.caller = caller;
    this.onCallerAbort = onAbort;
    caller.addEventListener('abort', onAbort);
  }

  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  caller: AbortSignal | undefined = undefined;

  finish(): void {
    this.settled = true;
    if (this.list !== undefined) this.list.remove(this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.caller !== undefined && this.onCallerAbort !== undefined) {
      this.caller.removeEventListener('abort', this.onCallerAbort);
    }
    this.scope.dispose();
  }
}

class TimeoutCore implements Layer {
  readonly list = new TimerList();
  readonly events = new Emitter<TimeoutEvents>();
  readonly timeouts: BoundCounter;

  constructor(
    readonly timeoutMs: number,
    readonly name: string,
  ) {
    this.timeouts = new BoundCounter('milkyway.timeout.timeouts', 'Calls that ran out of time', {
      'milkyway.policy.name': name,
    });
  }

  run<T>(fn: (scope: Scope) => Promise<T>, scope: Scope): Promise<T> {
    if (scope.aborted) return Promise.reject(scope.reason);
    const now = Date.now();
    let expiresAt = now + this.timeoutMs;
    let reason: 'timeout' | 'deadline' = 'timeout';
    if (scope.deadline !== undefined && scope.deadline < expiresAt) {
      expiresAt = scope.deadline;
      reason = 'deadline';
      if (expiresAt <= now) return Promise.reject(this.timeoutError(reason));
    }
    const child = scope.timed(expiresAt);
    return new Promise<T>((resolve, reject) => {
      const pending = new Pending<T>(this, child, resolve, reject, reason);
      pending.expiresAt = expiresAt;
      if (!this.list.add(pending)) {
        // A deadline tighter than the list's order: this call gets its own timer.
        pending.timer = setTimeout(() => pending.expire(), Math.max(1, expiresAt - now));
      }
      const caller = scope.callerSignal;
      if (caller !== undefined) pending.watch(caller);
      let result: Promise<T>;
      try {
        result = fn(child);
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(pending.fulfil, pending.fail);
    });
  }

  expire(pending: Pending<unknown>): void {
    const scope = pending.scope;
    // A caller's (or an outer policy's) cancellation is never reported as this timeout.
    const outer = scope.parent?.aborted === true ? scope.parent.reason : undefined;
    const error = outer ?? this.timeoutError(pending.reason);
    pending.finish();
    scope.abort(error);
    pending.reject(error);
  }

  timeoutError(reason: 'timeout' | 'deadline'): DeadlineExceededError {
    const error = new DeadlineExceededError({
      timeoutMs: this.timeoutMs,
      reason,
      source: this.name,
    });
    this.timeouts.add(1, { 'milkyway.timeout.reason': reason });
    this.events.emit('timeout', { name: this.name, timeoutMs: this.timeoutMs, reason });
    return error;
  }
}

/**
 * A timeout, as {@link timeout} builds it (the only way to make one).
 *
 * @example
 * ```ts
 * import { timeout, type Timeout } from '@milkyway/resilience';
 * const perAttempt: Timeout = timeout(1_000, { name: 'catalog.attempt' });
 * console.info(perAttempt.timeoutMs);
 * ```
 */
export class Timeout implements Policy {
  /** The duration each call gets, in milliseconds. */
  readonly timeoutMs: number;
  /** Name used in errors, events and metrics. */
  readonly name: string;
  private readonly core: TimeoutCore;

  /** @internal Use {@link timeout}. */
  constructor(timeoutMs: number, options: TimeoutOptions = {}) {
    if (!(timeoutMs > 0) || !(timeoutMs <= MAX_TIMER_MS)) {
      throw new RangeError(`timeout must be between 0 and ${MAX_TIMER_MS} milliseconds`);
    }
    this.timeoutMs = timeoutMs;
    this.name = options.name ?? 'timeout';
    this.core = new TimeoutCore(timeoutMs, this.name);
    registerLayer(this, this.core);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof TimeoutEvents>(event: K, listener: (e: TimeoutEvents[K]) => void): () => void {
    return this.core.events.on(event, listener);
  }

  /** Runs `fn` with a signal that aborts with a `DeadlineExceededError` after `timeoutMs` (or at the deadline, if sooner). */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this.core.run(asLayerFn(fn), Scope.root(options));
  }
}

/**
 * A timeout: each call gets its own `AbortSignal` (`context.signal`) that aborts with a
 * `DeadlineExceededError` (protocol 11, a 504) after `timeoutMs`, or at the call's deadline if that comes first; the
 * returned promise rejects at that moment even if the function ignores its signal. A caller's
 * cancellation (the `signal` given to `execute`) rejects at once with the caller's reason and is
 * never reported as a timeout. All calls share one timer (no per-call timer or controller unless
 * the function reads `signal`).
 *
 * @example
 * ```ts
 * import { timeout } from '@milkyway/resilience';
 * const perAttempt = timeout(1_000);
 * const res = await perAttempt.execute(({ signal }) => fetch('http://127.0.0.1:3001/x', { signal }));
 * ```
 */
export function timeout(timeoutMs: number, options?: TimeoutOptions): Timeout {
  return new Timeout(timeoutMs, options);
}
