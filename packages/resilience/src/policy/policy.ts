import { CircuitBreaker, type CircuitBreakerOptions } from '../breaker/breaker.js';
import { Bulkhead, type BulkheadOptions } from '../bulkhead/bulkhead.js';
import { Retry, type RetryOptions } from '../retry/retry.js';
import type { RetryBudget } from '../retry/retry-budget.js';
import { Timeout } from '../timeout/timeout.js';
import { layerOf, registerLayer } from './scope.js';
import type { ExecuteOptions, Operation, Policy } from './types.js';
import { type Composable, Composed } from './wrap.js';

/**
 * Options of {@link policy}: each part is optional; give options to build it, an instance to
 * share it (e.g. one breaker for several policies), or leave it out.
 *
 * @example
 * ```ts
 * import { policy, type PolicyOptions } from '@milkyway/resilience';
 * const options: PolicyOptions = { name: 'catalog', attemptTimeoutMs: 1_000, retry: { maxAttempts: 3 } };
 * const catalog = policy(options);
 * ```
 */
export interface PolicyOptions {
  /** Prefix for the parts' names (`<name>.breaker`, ...). */
  name?: string;
  /** Outermost: answers when everything inside failed. */
  fallback?: Composable;
  /** Time for the whole call, retries and waits included. */
  totalTimeoutMs?: number;
  /** Retry settings (or a shared {@link Retry}). */
  retry?: RetryOptions | Retry;
  /** Retry budget shared by the dependency's callers (used when `retry` is given as options). */
  budget?: RetryBudget;
  /** Breaker settings (or a shared {@link CircuitBreaker}). */
  breaker?: CircuitBreakerOptions | CircuitBreaker;
  /** Bulkhead settings (or a shared {@link Bulkhead}). */
  bulkhead?: BulkheadOptions | Bulkhead;
  /** Time for each attempt, innermost. */
  attemptTimeoutMs?: number;
}

/**
 * The result of {@link policy}: a composed {@link Policy} whose parts stay reachable (to
 * subscribe to their events or read their state).
 *
 * @example
 * ```ts
 * import { policy } from '@milkyway/resilience';
 * const catalog = policy({ name: 'catalog', breaker: {}, attemptTimeoutMs: 1_000 });
 * catalog.breaker?.on('stateChange', (e) => console.warn('catalog breaker', e.to));
 * ```
 */
export class ResiliencePolicy implements Policy {
  /** The fallback, if any. */
  readonly fallback: Composable | undefined;
  /** The total timeout, if any. */
  readonly totalTimeout: Timeout | undefined;
  /** The retry policy, if any. */
  readonly retry: Retry | undefined;
  /** The circuit breaker, if any. */
  readonly breaker: CircuitBreaker | undefined;
  /** The bulkhead, if any. */
  readonly bulkhead: Bulkhead | undefined;
  /** The per-attempt timeout, if any. */
  readonly attemptTimeout: Timeout | undefined;
  private readonly composed: Composed;

  /** @internal Use {@link policy}. */
  constructor(options: PolicyOptions = {}) {
    const name = options.name;
    const named = (part: string) => (name === undefined ? part : `${name}.${part}`);
    const fb = options.fallback;
    const totalTimeout =
      options.totalTimeoutMs === undefined
        ? undefined
        : new Timeout(options.totalTimeoutMs, { name: named('total-timeout') });
    const retryPart =
      options.retry === undefined
        ? undefined
        : options.retry instanceof Retry
          ? options.retry
          : new Retry({
              name: named('retry'),
              ...(options.budget === undefined ? {} : { budget: options.budget }),
              ...options.retry,
            });
    const breaker =
      options.breaker === undefined
        ? undefined
        : options.breaker instanceof CircuitBreaker
          ? options.breaker
          : new CircuitBreaker({ name: named('breaker'), ...options.breaker });
    const pool =
      options.bulkhead === undefined
        ? undefined
        : options.bulkhead instanceof Bulkhead
          ? options.bulkhead
          : new Bulkhead({ name: named('bulkhead'), ...options.bulkhead });
    const attemptTimeout =
      options.attemptTimeoutMs === undefined
        ? undefined
        : new Timeout(options.attemptTimeoutMs, { name: named('attempt-timeout') });
    const parts: Composable[] = [];
    for (const p of [fb, totalTimeout, retryPart, breaker, pool, attemptTimeout]) {
      if (p !== undefined) parts.push(p);
    }
    this.composed = new Composed(parts);
    registerLayer(this, layerOf(this.composed));
    this.fallback = fb;
    this.totalTimeout = totalTimeout;
    this.retry = retryPart;
    this.breaker = breaker;
    this.bulkhead = pool;
    this.attemptTimeout = attemptTimeout;
  }

  /** Runs `fn` through every part, outermost first. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this.composed.execute(fn, options);
  }
}

/**
 * Builds the recommended composition, outermost first: fallback → total timeout → retry (with
 * its budget) → circuit breaker → bulkhead → attempt timeout → your function. So a retry is
 * a new trip through the breaker and the bulkhead, each attempt has its own timeout (that the
 * breaker counts as a failure), time spent queued in the bulkhead counts against the total
 * timeout, and the fallback sees the final outcome.
 *
 * @example
 * ```ts
 * import { policy, retryBudget } from '@milkyway/resilience';
 * declare function loadProduct(id: string, signal: AbortSignal): Promise<{ id: string }>;
 * declare const request: { signal: AbortSignal; deadline: number };
 *
 * const catalog = policy({
 *   name: 'catalog',
 *   totalTimeoutMs: 3_000,
 *   retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
 *   budget: retryBudget({ ratio: 0.1 }),
 *   breaker: { failureRateThreshold: 50, minimumCalls: 20, resetTimeoutMs: 5_000 },
 *   bulkhead: { maxConcurrent: 32, maxQueue: 64 },
 *   attemptTimeoutMs: 1_000,
 * });
 * const product = await catalog.execute(({ signal }) => loadProduct('p1', signal), request);
 * ```
 */
export function policy(options?: PolicyOptions): ResiliencePolicy {
  return new ResiliencePolicy(options);
}
