import { isRejection } from '@milkyway/protocol';
import { asLayerFn, type Layer, registerLayer, rejectSoon, Scope } from '../policy/scope.js';
import type { ExecuteOptions, Operation, Policy } from '../policy/types.js';
import { Emitter } from '../telemetry/events.js';
import { BoundCounter, observeGauge } from '../telemetry/metrics.js';
import { BrokenCircuitError } from './broken-circuit-error.js';
import type { BreakerEngine, BreakerState, EngineCall, EngineFactory, Verdict } from './engine.js';
import { createOpossumEngine } from './opossum-engine.js';

/**
 * Options of {@link circuitBreaker}. Defaults suit a service-to-service call.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitBreakerOptions } from '@milkyway/resilience';
 * const options: CircuitBreakerOptions = { name: 'catalog', failureRateThreshold: 50, minimumCalls: 20 };
 * const breaker = circuitBreaker(options);
 * ```
 */
export interface CircuitBreakerOptions {
  /** Name used in errors, events and metric attributes (default `'breaker'`). */
  name?: string;
  /** Opens when the failure percentage in the window exceeds this (default 50). */
  failureRateThreshold?: number;
  /** Calls needed in the window before the rate is judged at all (default 10). */
  minimumCalls?: number;
  /** Length of the rolling window in milliseconds (default 10 000). */
  windowMs?: number;
  /** Buckets the window is divided into (default 10). */
  buckets?: number;
  /** How long the breaker stays open before letting a probe through (default 5 000 ms). */
  resetTimeoutMs?: number;
  /**
   * Which errors count as failures of the dependency (default: all). Errors for which it
   * returns false count as successes (the dependency answered, e.g. a 404). Milkyway's own
   * rejections and errors raised while the caller has cancelled are never counted, whatever
   * this says.
   */
  isFailure?: (error: unknown) => boolean;
  /** The state-machine engine (default: {@link createOpossumEngine}). */
  engine?: EngineFactory;
}

/**
 * Events of a {@link CircuitBreaker}.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitBreakerEvents } from '@milkyway/resilience';
 * const breaker = circuitBreaker({ name: 'catalog' });
 * breaker.on('stateChange', (e: CircuitBreakerEvents['stateChange']) => console.warn(e.from, e.to));
 * ```
 */
export interface CircuitBreakerEvents {
  /** The state changed (only legal transitions: closed→open, open→half-open, half-open→closed|open, and manual resets). */
  stateChange: { name: string; from: BreakerState; to: BreakerState };
  /** A call was rejected without running. */
  reject: { name: string; state: BreakerState; retryAfterMs: number };
  /** A call failed and was counted as a failure. */
  failure: { name: string; error: unknown };
}

/** One call through the breaker: a single allocation per call. */
class BreakerCall<T> implements EngineCall<T> {
  constructor(
    private readonly fn: (scope: Scope) => Promise<T>,
    private readonly scope: Scope,
    private readonly verdict: (error: unknown) => Verdict,
  ) {}

  run(): Promise<T> {
    return this.fn(this.scope);
  }

  classify(error: unknown): Verdict {
    // Errors raised after the caller cancelled (or an outer timeout fired) are never counted.
    return this.scope.aborted ? 'ignore' : this.verdict(error);
  }
}

const STATE_CODE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

class BreakerCore implements Layer {
  readonly events = new Emitter<CircuitBreakerEvents>();
  readonly engine: BreakerEngine;
  openedAt = 0;
  isolated = false;
  private readonly rejections: BoundCounter;
  private readonly transitions: BoundCounter;
  private readonly classify: (error: unknown) => Verdict;

  constructor(
    readonly name: string,
    readonly resetTimeoutMs: number,
    isFailure: (error: unknown) => boolean,
    factory: EngineFactory,
    settings: Parameters<EngineFactory>[0],
  ) {
    const attributes = { 'milkyway.policy.name': name };
    this.rejections = new BoundCounter(
      'milkyway.breaker.rejections',
      'Calls rejected by an open circuit breaker',
      attributes,
    );
    this.transitions = new BoundCounter(
      'milkyway.breaker.transitions',
      'Circuit breaker state changes',
      attributes,
    );
    this.engine = factory(settings, (from, to) => {
      if (to === 'open') this.openedAt = Date.now();
      this.transitions.add(1, { 'milkyway.breaker.from': from, 'milkyway.breaker.to': to });
      this.events.emit('stateChange', { name, from, to });
    });
    observeGauge('milkyway.breaker.state', 'Circuit breaker state: 0 closed, 1 half-open, 2 open', {
      attributes,
      read: () => STATE_CODE[this.engine.state],
    });
    this.classify = (error) => {
      if (isRejection(error)) return 'ignore';
      if (isFailure(error)) {
        this.events.emit('failure', { name, error });
        return 'failure';
      }
      return 'success';
    };
  }

  run<T>(fn: (scope: Scope) => Promise<T>, scope: Scope): Promise<T> {
    if (scope.aborted) return Promise.reject(scope.reason);
    const engine = this.engine;
    if (this.isolated || !engine.admits()) return rejectSoon(this.reject(engine.state));
    return engine.fire(new BreakerCall(fn, scope, this.classify));
  }

  retryAfterMs(state: BreakerState): number {
    if (state === 'open' && !this.isolated) {
      return Math.max(0, this.openedAt + this.resetTimeoutMs - Date.now());
    }
    // Half-open with the probe in flight (or manually isolated): a short, honest hint.
    return Math.min(this.resetTimeoutMs, 1000);
  }

  private reject(state: BreakerState): BrokenCircuitError {
    const retryAfterMs = this.retryAfterMs(state);
    this.rejections.add();
    if (this.events.has('reject')) {
      this.events.emit('reject', { name: this.name, state, retryAfterMs });
    }
    return new BrokenCircuitError({ breaker: this.name, retryAfterMs });
  }
}

/**
 * A circuit breaker, as {@link circuitBreaker} builds it (the only way to make one).
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitBreaker } from '@milkyway/resilience';
 * const breaker: CircuitBreaker = circuitBreaker({ name: 'catalog' });
 * if (breaker.state === 'open') console.warn(`catalog back in ${breaker.retryAfterMs} ms`);
 * ```
 */
export class CircuitBreaker implements Policy {
  /** Name used in errors, events and metrics. */
  readonly name: string;
  private readonly core: BreakerCore;

  /** @internal Use {@link circuitBreaker}. */
  constructor(options: CircuitBreakerOptions = {}) {
    const name = options.name ?? 'breaker';
    const failureRateThreshold = options.failureRateThreshold ?? 50;
    const minimumCalls = options.minimumCalls ?? 10;
    const windowMs = options.windowMs ?? 10_000;
    const buckets = options.buckets ?? 10;
    const resetTimeoutMs = options.resetTimeoutMs ?? 5_000;
    if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
      throw new RangeError('failureRateThreshold must be in (0, 100]');
    }
    if (!Number.isInteger(minimumCalls) || minimumCalls < 1) {
      throw new RangeError('minimumCalls must be an integer >= 1');
    }
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError('buckets must be >= 1');
    if (!(windowMs >= buckets)) throw new RangeError('windowMs must be >= buckets');
    if (!(resetTimeoutMs > 0)) throw new RangeError('resetTimeoutMs must be > 0');
    this.name = name;
    this.core = new BreakerCore(
      name,
      resetTimeoutMs,
      options.isFailure ?? (() => true),
      options.engine ?? createOpossumEngine,
      { name, failureRateThreshold, minimumCalls, windowMs, buckets, resetTimeoutMs },
    );
    registerLayer(this, this.core);
  }

  /** Current state (`'open'` while isolated). */
  get state(): BreakerState {
    return this.core.isolated ? 'open' : this.core.engine.state;
  }

  /** Milliseconds until an open breaker lets a probe through (0 when closed). */
  get retryAfterMs(): number {
    const state = this.state;
    return state === 'closed' ? 0 : this.core.retryAfterMs(state);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof CircuitBreakerEvents>(
    event: K,
    listener: (e: CircuitBreakerEvents[K]) => void,
  ): () => void {
    return this.core.events.on(event, listener);
  }

  /** Runs `fn` if the circuit admits it; rejects at once with {@link BrokenCircuitError} otherwise. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    return this.core.run(asLayerFn(fn), Scope.root(options));
  }

  /** Holds the breaker open (every call rejected) until {@link CircuitBreaker.reset}. */
  isolate(): void {
    this.core.isolated = true;
    if (this.core.engine.state !== 'open') this.core.engine.open();
  }

  /** Closes the breaker with a fresh window (also ends an isolation). */
  reset(): void {
    this.core.isolated = false;
    this.core.engine.close();
  }

  /** Stops the breaker's timers; it must not be used afterwards. */
  dispose(): void {
    this.core.engine.dispose();
  }
}

/**
 * A circuit breaker (opossum 9 as the engine, behind Milkyway's interface). Closed, it counts
 * outcomes in a rolling window and opens when at least `minimumCalls` calls were made and more
 * than `failureRateThreshold` percent failed. Open, it rejects every call at once with a
 * {@link BrokenCircuitError} (503, `Retry-After`) carrying `retryAfterMs`. After
 * `resetTimeoutMs` it is half-open: exactly one probe call goes through; success closes the
 * breaker (fresh window), failure re-opens it. Milkyway's own rejections (full bulkhead,
 * rate limit) and errors of calls the caller cancelled are never counted.
 *
 * @example
 * ```ts
 * import { circuitBreaker } from '@milkyway/resilience';
 * declare function loadProduct(id: string, signal: AbortSignal): Promise<{ id: string }>;
 *
 * const breaker = circuitBreaker({ name: 'catalog', minimumCalls: 20, resetTimeoutMs: 5_000 });
 * breaker.on('stateChange', ({ from, to }) => console.warn(`catalog breaker ${from} -> ${to}`));
 * const product = await breaker.execute(({ signal }) => loadProduct('p1', signal));
 * ```
 */
export function circuitBreaker(options?: CircuitBreakerOptions): CircuitBreaker {
  return new CircuitBreaker(options);
}
