import { CircuitBreaker, type CircuitBreakerOptions } from './breaker.js';
import { Bulkhead, type BulkheadOptions } from './bulkhead.js';
import type { FallbackPolicy } from './fallback.js';
import { type RetryOptions, RetryPolicy } from './retry.js';
import type { RetryBudget } from './retry-budget.js';
import { asLayerFn, type Layer, layerOf, registerLayer, Scope } from './scope.js';
import { TimeoutPolicy } from './timeout.js';
import type { ExecuteOptions, Operation, Policy } from './types.js';

/**
 * Anything `wrap` and `policy` can compose: every {@link Policy}, and a {@link FallbackPolicy}
 * (whose result type widens to include its fallback value).
 *
 * @example
 * ```ts
 * import { fallback, timeout, type Composable } from '@milkyway/resilience';
 * const parts: Composable[] = [fallback(null), timeout(500)];
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the fallback's value type is erased by composition.
export type Composable = Policy | FallbackPolicy<any>;

type Run = <T>(fn: (scope: Scope) => Promise<T>, scope: Scope) => Promise<T>;

function chain(layers: Layer[]): Run {
  let run: Run = (fn, scope) => fn(scope);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const inner = run;
    run = (fn, scope) => layer.run((s) => inner(fn, s), scope);
  }
  return run;
}

/**
 * Policies composed into one: see {@link wrap} and {@link policy}.
 *
 * @example
 * ```ts
 * import { wrap, retry, timeout } from '@milkyway/resilience';
 * const p = wrap(retry(), timeout(500));
 * await p.execute(({ signal }) => fetch('http://127.0.0.1:3001/health', { signal }));
 * ```
 */
export class ComposedPolicy implements Policy {
  /** The policies, outermost first. */
  readonly policies: readonly Composable[];
  private readonly run: Run;

  /** Composes `policies`, outermost first; prefer {@link wrap}. */
  constructor(policies: readonly Composable[]) {
    this.policies = policies;
    const layers = policies.map((p) => layerOf(p));
    this.run = chain(layers);
    registerLayer(this, { run: this.run });
  }

  /** Runs `fn` through every policy, outermost first. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this.run(asLayerFn(fn), Scope.root(options));
  }
}

/**
 * Composes policies, the first outermost: `wrap(a, b, c).execute(fn)` runs `a` around `b`
 * around `c` around `fn`. Any object with an `execute(fn, options)` method can take part.
 * Prefer {@link policy}, which applies the recommended order for you.
 *
 * @example
 * ```ts
 * import { bulkhead, circuitBreaker, retry, timeout, wrap } from '@milkyway/resilience';
 * const catalog = wrap(retry(), circuitBreaker({ name: 'catalog' }), bulkhead({ maxConcurrent: 32 }), timeout(1_000));
 * ```
 */
export function wrap(...policies: Composable[]): ComposedPolicy {
  return new ComposedPolicy(policies);
}

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
  /** Retry settings (or a shared {@link RetryPolicy}). */
  retry?: RetryOptions | RetryPolicy;
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
 * The result of {@link policy}: a composed policy whose parts stay reachable (to subscribe to
 * their events or read their state).
 *
 * @example
 * ```ts
 * import { policy } from '@milkyway/resilience';
 * const catalog = policy({ name: 'catalog', breaker: {}, attemptTimeoutMs: 1_000 });
 * catalog.breaker?.on('stateChange', (e) => console.warn('catalog breaker', e.to));
 * ```
 */
export class ResiliencePolicy extends ComposedPolicy {
  /** The fallback, if any. */
  readonly fallback: Composable | undefined;
  /** The total timeout, if any. */
  readonly totalTimeout: TimeoutPolicy | undefined;
  /** The retry policy, if any. */
  readonly retry: RetryPolicy | undefined;
  /** The circuit breaker, if any. */
  readonly breaker: CircuitBreaker | undefined;
  /** The bulkhead, if any. */
  readonly bulkhead: Bulkhead | undefined;
  /** The per-attempt timeout, if any. */
  readonly attemptTimeout: TimeoutPolicy | undefined;

  /** Builds the policy; prefer {@link policy}. */
  constructor(options: PolicyOptions = {}) {
    const name = options.name;
    const named = (part: string) => (name === undefined ? part : `${name}.${part}`);
    const fb = options.fallback;
    const totalTimeout =
      options.totalTimeoutMs === undefined
        ? undefined
        : new TimeoutPolicy(options.totalTimeoutMs, { name: named('total-timeout') });
    const retryPart =
      options.retry === undefined
        ? undefined
        : options.retry instanceof RetryPolicy
          ? options.retry
          : new RetryPolicy({
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
        : new TimeoutPolicy(options.attemptTimeoutMs, { name: named('attempt-timeout') });
    const parts: Composable[] = [];
    for (const p of [fb, totalTimeout, retryPart, breaker, pool, attemptTimeout]) {
      if (p !== undefined) parts.push(p);
    }
    super(parts);
    this.fallback = fb;
    this.totalTimeout = totalTimeout;
    this.retry = retryPart;
    this.breaker = breaker;
    this.bulkhead = pool;
    this.attemptTimeout = attemptTimeout;
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
