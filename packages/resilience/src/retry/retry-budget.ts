import type { Clock } from '@milkyway/protocol';
import { BoundCounter } from '../telemetry/metrics.js';

/**
 * Options of {@link retryBudget}.
 *
 * @example
 * ```ts
 * import { retryBudget, type RetryBudgetOptions } from '@milkyway/resilience';
 * const options: RetryBudgetOptions = { ratio: 0.1, minRetriesPerSecond: 5 };
 * const budget = retryBudget(options);
 * ```
 */
export interface RetryBudgetOptions {
  /** Retries allowed per request in the window (default 0.1: at most 10% extra load). */
  ratio?: number;
  /** Floor: retries always allowed per second of window, so a quiet service can still retry (default 10). */
  minRetriesPerSecond?: number;
  /** Sliding window in milliseconds (default 10 000, in 10 buckets). */
  windowMs?: number;
  /** Name used in metric attributes. */
  name?: string;
  /** The time source (protocol 8, epoch ms; default `Date.now`): the budget only reads the time, it sets no timer. */
  clock?: Clock;
}

const BUCKETS = 10;

/**
 * A retry budget, as {@link retryBudget} builds it (the only way to make one).
 *
 * @example
 * ```ts
 * import { retry, retryBudget, type RetryBudget } from '@milkyway/resilience';
 * const catalogBudget: RetryBudget = retryBudget({ ratio: 0.1, minRetriesPerSecond: 10 });
 * const retrying = retry({ maxAttempts: 3, budget: catalogBudget });
 * console.info(`${catalogBudget.available} retries left in this window`);
 * ```
 */
export class RetryBudget {
  /** Retries per request allowed. */
  readonly ratio: number;
  /** Retries per second always allowed. */
  readonly minRetriesPerSecond: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private requestTotal = 0;
  private retryTotal = 0;
  private bucket: number;
  private readonly exhausted: BoundCounter;
  private readonly clock: Clock;

  /** @internal Use {@link retryBudget}. */
  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.1;
    this.minRetriesPerSecond = options.minRetriesPerSecond ?? 10;
    this.windowMs = options.windowMs ?? 10_000;
    if (!(this.ratio >= 0)) throw new RangeError('ratio must be >= 0');
    if (!(this.minRetriesPerSecond >= 0)) throw new RangeError('minRetriesPerSecond must be >= 0');
    if (!(this.windowMs >= BUCKETS)) throw new RangeError(`windowMs must be >= ${BUCKETS}`);
    this.bucketMs = this.windowMs / BUCKETS;
    // Read Date.now at each call (not a captured reference), so vitest's fake timers apply.
    this.clock = options.clock ?? (() => Date.now());
    this.bucket = Math.floor(this.clock() / this.bucketMs);
    this.exhausted = new BoundCounter(
      'milkyway.retry.budget_exhausted',
      'Retries refused because the retry budget was spent',
      { 'milkyway.policy.name': options.name ?? 'retry-budget' },
    );
  }

  /** Counts one request (a first attempt). Called by the retry policy. */
  recordRequest(): void {
    this.advance();
    this.requestTotal++;
    this.requests[this.bucket % BUCKETS]!++;
  }

  /** Takes one retry from the budget; false (and nothing taken) when it is spent. */
  tryAcquire(): boolean {
    this.advance();
    if (this.retryTotal + 1 > this.allowed()) {
      this.exhausted.add();
      return false;
    }
    this.retryTotal++;
    this.retries[this.bucket % BUCKETS]!++;
    return true;
  }

  /** Retries still available in the current window. */
  get available(): number {
    this.advance();
    return Math.max(0, Math.floor(this.allowed() - this.retryTotal));
  }

  private allowed(): number {
    return Math.max(
      this.ratio * this.requestTotal,
      (this.minRetriesPerSecond * this.windowMs) / 1000,
    );
  }

  private advance(): void {
    const bucket = Math.floor(this.clock() / this.bucketMs);
    if (bucket === this.bucket) return;
    const steps = Math.min(bucket - this.bucket, BUCKETS);
    for (let i = 1; i <= steps; i++) {
      const slot = (this.bucket + i) % BUCKETS;
      this.requestTotal -= this.requests[slot]!;
      this.retryTotal -= this.retries[slot]!;
      this.requests[slot] = 0;
      this.retries[slot] = 0;
    }
    this.bucket = bucket;
  }
}

/**
 * A retry budget shared by every call to one dependency (the retry policies or HTTP clients
 * that call it): retries in the sliding window may not exceed
 * `max(ratio × requests, minRetriesPerSecond × windowSeconds)`. During an outage, when every
 * call fails, the budget caps the extra load retries add at `ratio` (10% by default) instead of
 * multiplying it by the number of attempts.
 *
 * @example
 * ```ts
 * import { retryBudget } from '@milkyway/resilience';
 * const budget = retryBudget({ ratio: 0.2, minRetriesPerSecond: 5, windowMs: 10_000 });
 * ```
 */
export function retryBudget(options?: RetryBudgetOptions): RetryBudget {
  return new RetryBudget(options);
}
