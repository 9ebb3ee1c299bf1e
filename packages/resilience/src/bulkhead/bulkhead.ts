import { DeadlineExceededError } from '@milkyway/protocol';
import { asLayerFn, type Layer, registerLayer, rejectSoon, Scope } from '../policy/scope.js';
import type { ExecuteOptions, Operation, Policy } from '../policy/types.js';
import { Emitter } from '../telemetry/events.js';
import { BoundCounter, observeGauge } from '../telemetry/metrics.js';
import { MAX_TIMER_MS } from '../timeout/timer-list.js';
import { BulkheadRejectedError } from './bulkhead-rejected-error.js';

/**
 * Options of {@link bulkhead}.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadOptions } from '@milkyway/resilience';
 * const options: BulkheadOptions = { maxConcurrent: 32, maxQueue: 64, name: 'catalog' };
 * const pool = bulkhead(options);
 * ```
 */
export interface BulkheadOptions {
  /** Calls allowed to run at the same time (>= 1). */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot (>= 0, default 0: reject as soon as all slots are busy). */
  maxQueue?: number;
  /** Name used in errors, events and metric attributes. */
  name?: string;
  /** `Retry-After` hint put on {@link BulkheadRejectedError} (milliseconds). */
  retryAfterMs?: number;
}

/**
 * Events of a {@link Bulkhead}.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadEvents } from '@milkyway/resilience';
 * const pool = bulkhead({ maxConcurrent: 4 });
 * pool.on('reject', (e: BulkheadEvents['reject']) => console.warn(`${e.name} full`));
 * ```
 */
export interface BulkheadEvents {
  /** A call was rejected because every slot and queue place was taken. */
  reject: { name: string; active: number; queued: number };
}

interface Waiter {
  scope: Scope;
  start: () => void;
  reject: (reason: unknown) => void;
  prev: Waiter | undefined;
  next: Waiter | undefined;
  queued: boolean;
  cleanup: (() => void) | undefined;
}

class BulkheadCore implements Layer {
  active = 0;
  queued = 0;
  private head: Waiter | undefined = undefined;
  private tail: Waiter | undefined = undefined;
  readonly events = new Emitter<BulkheadEvents>();
  private readonly rejections: BoundCounter;
  private readonly release = () => this.releaseSlot();

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
    readonly name: string,
    readonly retryAfterMs: number | undefined,
  ) {
    const attributes = { 'milkyway.policy.name': name };
    this.rejections = new BoundCounter(
      'milkyway.bulkhead.rejections',
      'Calls rejected by a full bulkhead',
      attributes,
    );
    observeGauge('milkyway.bulkhead.active', 'Calls running inside a bulkhead', {
      attributes,
      read: () => this.active,
    });
    observeGauge('milkyway.bulkhead.queued', 'Calls waiting for a bulkhead slot', {
      attributes,
      read: () => this.queued,
    });
  }

  run<T>(fn: (scope: Scope) => Promise<T>, scope: Scope): Promise<T> {
    if (scope.aborted) return Promise.reject(scope.reason);
    if (this.active < this.maxConcurrent) {
      this.active++;
      return this.start(fn, scope);
    }
    if (this.queued >= this.maxQueue) {
      this.rejections.add();
      this.events.emit('reject', { name: this.name, active: this.active, queued: this.queued });
      return rejectSoon(
        new BulkheadRejectedError({
          maxConcurrent: this.maxConcurrent,
          maxQueue: this.maxQueue,
          bulkhead: this.name,
          ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
        }),
      );
    }
    return this.enqueue(fn, scope);
  }

  private start<T>(fn: (scope: Scope) => Promise<T>, scope: Scope): Promise<T> {
    let result: Promise<T>;
    try {
      result = fn(scope);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(this.release, this.release);
    return result;
  }

  private enqueue<T>(fn: (scope: Scope) => Promise<T>, scope: Scope): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        scope,
        start: () => resolve(this.start(fn, scope)),
        reject,
        prev: this.tail,
        next: undefined,
        queued: true,
        cleanup: undefined,
      };
      if (this.tail === undefined) this.head = waiter;
      else this.tail.next = waiter;
      this.tail = waiter;
      this.queued++;
      // Leaving the queue: the caller cancels, an outer timeout fires, or the deadline passes.
      const leave = (reason: unknown) => {
        if (!waiter.queued) return;
        this.unlink(waiter);
        waiter.cleanup?.();
        waiter.reject(reason);
      };
      const cleanups: Array<() => void> = [];
      if (scope.cancellable) {
        const signal = scope.signal;
        const onAbort = () => leave(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener('abort', onAbort));
      }
      // A deadline beyond setTimeout's range (~24.8 days) is as good as none.
      if (scope.deadline !== undefined && scope.deadline - Date.now() <= MAX_TIMER_MS) {
        const timer = setTimeout(
          () => leave(new DeadlineExceededError({ reason: 'deadline', source: this.name })),
          Math.max(0, scope.deadline - Date.now()),
        );
        cleanups.push(() => clearTimeout(timer));
      }
      waiter.cleanup = () => {
        for (const cleanup of cleanups) cleanup();
      };
    });
  }

  private unlink(waiter: Waiter): void {
    waiter.queued = false;
    const { prev, next } = waiter;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = undefined;
    this.queued--;
  }

  private releaseSlot(): void {
    for (;;) {
      const next = this.head;
      if (next === undefined) {
        this.active--;
        return;
      }
      // The slot passes straight to the head of the queue (FIFO); `active` is unchanged.
      this.unlink(next);
      next.cleanup?.();
      if (next.scope.aborted) {
        next.reject(next.scope.reason);
        continue;
      }
      next.start();
      return;
    }
  }
}

/**
 * A bulkhead, as {@link bulkhead} builds it (the only way to make one).
 *
 * @example
 * ```ts
 * import { bulkhead, type Bulkhead } from '@milkyway/resilience';
 * const pool: Bulkhead = bulkhead({ maxConcurrent: 8, maxQueue: 16 });
 * console.info(`${pool.active} running, ${pool.queued} waiting`);
 * ```
 */
export class Bulkhead implements Policy {
  /** Calls allowed to run at the same time. */
  readonly maxConcurrent: number;
  /** Calls allowed to wait. */
  readonly maxQueue: number;
  /** Name used in errors, events and metrics. */
  readonly name: string;
  private readonly core: BulkheadCore;

  /** @internal Use {@link bulkhead}. */
  constructor(options: BulkheadOptions) {
    const { maxConcurrent, maxQueue = 0 } = options;
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new RangeError('maxConcurrent must be an integer >= 1');
    }
    if (!Number.isInteger(maxQueue) || maxQueue < 0) {
      throw new RangeError('maxQueue must be an integer >= 0');
    }
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
    this.name = options.name ?? 'bulkhead';
    this.core = new BulkheadCore(maxConcurrent, maxQueue, this.name, options.retryAfterMs);
    registerLayer(this, this.core);
  }

  /** Calls running now. */
  get active(): number {
    return this.core.active;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.core.queued;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof BulkheadEvents>(
    event: K,
    listener: (e: BulkheadEvents[K]) => void,
  ): () => void {
    return this.core.events.on(event, listener);
  }

  /** Runs `fn` in a free slot, waits in the queue, or rejects at once with {@link BulkheadRejectedError}. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this.core.run(asLayerFn(fn), Scope.root(options));
  }
}

/**
 * A bulkhead: at most `maxConcurrent` calls run at once; up to `maxQueue` more wait in FIFO
 * order (a freed slot goes to the head of the queue); anything beyond is rejected at once with a
 * {@link BulkheadRejectedError} (503). A queued call leaves the queue as soon as its caller
 * cancels or its deadline passes, so waiting counts against the call's deadline.
 *
 * @example
 * ```ts
 * import { bulkhead } from '@milkyway/resilience';
 * declare function loadProduct(id: string, signal: AbortSignal): Promise<{ id: string }>;
 * const pool = bulkhead({ maxConcurrent: 16, maxQueue: 32, name: 'catalog' });
 * const product = await pool.execute(({ signal }) => loadProduct('p1', signal));
 * ```
 */
export function bulkhead(options: BulkheadOptions): Bulkhead {
  return new Bulkhead(options);
}
