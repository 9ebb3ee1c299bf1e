import { EventEmitter } from 'node:events';
import Opossum from 'opossum';
import type {
  BreakerEngine,
  BreakerState,
  EngineCall,
  EngineFactory,
  EngineSettings,
} from './engine.js';

type Call = EngineCall<unknown>;

// Opossum pushes every call's latency into its current bucket even with percentiles disabled;
// under sustained load that is millions of numbers per window. Buckets get this no-op instead.
const NO_LATENCIES = { push: () => 0, length: 0 } as unknown as number[];

const trampoline = (call: Call) => call.run();

/**
 * Internal: opossum 9 as the breaker engine, with its defaults and pitfalls fixed.
 *
 * - No opossum timeout, capacity, cache, coalescing, fallback or abortController: Milkyway's own
 *   policies own those (opossum's `timeout` would abort *every* call through a shared
 *   controller; its `capacity` rejections count as failures and open the breaker).
 * - `rollingPercentilesEnabled: false`, `enableSnapshots: false`, and buckets rotated lazily
 *   from calls through a `rotateBucketController` we own: no interval timers per breaker, no
 *   latency arrays (see NO_LATENCIES), and the window works under fake timers.
 * - `volumeThreshold` = minimumCalls (opossum's default 0 lets the first failure open a fresh
 *   breaker).
 * - One opossum instance per state period: every transition starts a fresh instance in the new
 *   state (opossum's documented `state` option). Calls still in flight from an earlier period
 *   settle on a detached instance and cannot close or re-open the breaker, and a closed breaker
 *   starts with an empty window (opossum keeps the failures that opened it).
 * - Half-open: opossum lets exactly ONE call through (`pendingClose` is cleared by the first
 *   call); every other call is rejected until that probe settles. Success closes, failure
 *   re-opens and restarts the reset timer. A probe whose outcome is ignored (cancelled by its
 *   caller, or one of our own rejections) would count as a success in opossum and close the
 *   breaker; instead we start a fresh half-open instance so the next call probes.
 * - Ignored outcomes in the closed state: opossum's `errorFilter` counts them as successes,
 *   which would dilute the failure rate; we take them back out of the current bucket (no
 *   per-call listener of ours on the success path).
 * - The reset timer is opossum's own `setTimeout` (unref'd), so `vi.useFakeTimers()` drives it.
 */
class OpossumEngine implements BreakerEngine {
  state: BreakerState = 'closed';
  private current: Opossum<[Call], unknown>;
  private readonly rotator = new EventEmitter();
  private readonly bucketMs: number;
  private bucket: number;

  constructor(
    private readonly settings: EngineSettings,
    private readonly onTransition: (from: BreakerState, to: BreakerState) => void,
  ) {
    this.rotator.setMaxListeners(0);
    this.bucketMs = Math.max(1, Math.floor(settings.windowMs / settings.buckets));
    this.bucket = Math.floor(Date.now() / this.bucketMs);
    this.current = this.create('closed');
  }

  admits(): boolean {
    const c = this.current;
    return c.closed || c.pendingClose;
  }

  fire<T>(call: EngineCall<T>): Promise<T> {
    this.rotate();
    return this.current.fire(call as Call) as Promise<T>;
  }

  open(): void {
    this.current.open();
  }

  close(): void {
    if (this.state === 'closed') {
      this.replace('closed');
      return;
    }
    this.current.close();
  }

  dispose(): void {
    this.current.shutdown();
  }

  private rotate(): void {
    const bucket = Math.floor(Date.now() / this.bucketMs);
    if (bucket === this.bucket) return;
    const steps = Math.min(bucket - this.bucket, this.settings.buckets);
    this.bucket = bucket;
    for (let i = 0; i < steps; i++) this.rotator.emit('rotate');
    for (const b of this.current.status.window) b.latencyTimes = NO_LATENCIES;
  }

  private create(state: BreakerState): Opossum<[Call], unknown> {
    const s = this.settings;
    let engine: Opossum<[Call], unknown> | undefined;
    const errorFilter = (error: unknown, call: Call): boolean => {
      if (engine !== this.current) return true; // a detached instance: nothing to count
      const verdict = call.classify(error);
      if (verdict === 'failure') return false;
      if (verdict === 'ignore') {
        if (engine.halfOpen) {
          // The probe's outcome says nothing about the dependency: let the next call probe.
          this.replace('half-open');
          return true;
        }
        // opossum will count this as a success: take the call back out of the current bucket
        // (`successes` is pre-decremented; opossum increments it right after this returns).
        const bucket = engine.status.window[0];
        if (bucket !== undefined) {
          bucket.successes--;
          if (bucket.fires > 0) bucket.fires--;
        }
      }
      return true;
    };
    const options = {
      name: s.name,
      timeout: false as const,
      resetTimeout: s.resetTimeoutMs,
      errorThresholdPercentage: s.failureRateThreshold,
      volumeThreshold: s.minimumCalls,
      rollingCountTimeout: s.windowMs,
      rollingCountBuckets: s.buckets,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.rotator,
      allowWarmUp: false,
      cache: false,
      coalesce: false,
      errorFilter: errorFilter as (error: unknown) => boolean,
      ...(state === 'closed'
        ? {}
        : { state: { closed: false, halfOpen: state === 'half-open', enabled: true } }),
    };
    engine = new Opossum<[Call], unknown>(trampoline, options);
    for (const b of engine.status.window) b.latencyTimes = NO_LATENCIES;
    const self = engine;
    engine.on('open', () => this.transition(self, 'open'));
    engine.on('halfOpen', () => this.transition(self, 'half-open'));
    engine.on('close', () => this.transition(self, 'closed'));
    return engine;
  }

  private transition(source: Opossum<[Call], unknown>, to: BreakerState): void {
    if (source !== this.current) return;
    const from = this.state;
    if (from === to) return;
    this.state = to;
    // half-open keeps the instance whose timer fired; open and closed start a fresh one.
    if (to !== 'half-open') this.replace(to);
    this.onTransition(from, to);
  }

  private replace(state: BreakerState): void {
    const old = this.current;
    this.current = this.create(state);
    old.shutdown();
  }
}

/**
 * The default breaker engine: opossum 9, with its defaults and pitfalls fixed (see the guide:
 * no timeout/capacity/cache/coalescing/abortController, no percentiles or snapshot timers, a
 * minimum number of calls, one instance per state period, exactly one half-open probe).
 *
 * @example
 * ```ts
 * import { circuitBreaker, createOpossumEngine } from '@milkyway/resilience';
 * const breaker = circuitBreaker({ engine: createOpossumEngine });
 * ```
 */
export const createOpossumEngine: EngineFactory = (settings, onTransition) =>
  new OpossumEngine(settings, onTransition);
