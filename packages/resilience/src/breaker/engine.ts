/*
 * The state machine behind CircuitBreaker. Milkyway's breaker owns the public interface,
 * classification, errors, events and metrics; an engine only counts outcomes and decides
 * transitions. The default engine is opossum (createOpossumEngine); another library can be
 * slotted in by implementing BreakerEngine and passing an EngineFactory as `engine`.
 */

/**
 * The three states of a circuit breaker.
 *
 * @example
 * ```ts
 * import type { BreakerState } from '@milkyway/resilience';
 * const healthy = (s: BreakerState) => s === 'closed';
 * ```
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * How one call's outcome is counted by a breaker engine.
 *
 * @example
 * ```ts
 * import type { Verdict } from '@milkyway/resilience';
 * const v: Verdict = 'ignore';
 * ```
 */
export type Verdict = 'success' | 'failure' | 'ignore';

/**
 * Settings a breaker engine is built with (already validated and defaulted).
 *
 * @example
 * ```ts
 * import type { EngineSettings } from '@milkyway/resilience';
 * const s: EngineSettings = { name: 'b', failureRateThreshold: 50, minimumCalls: 10, windowMs: 10_000, buckets: 10, resetTimeoutMs: 5_000 };
 * ```
 */
export interface EngineSettings {
  /** Breaker name. */
  name: string;
  /** Opens when failures / calls in the window exceed this percentage. */
  failureRateThreshold: number;
  /** Calls needed in the window before the failure rate is judged. */
  minimumCalls: number;
  /** Rolling window length in milliseconds. */
  windowMs: number;
  /** Buckets in the window. */
  buckets: number;
  /** Time open before a probe is allowed. */
  resetTimeoutMs: number;
}

/**
 * One call handed to a breaker engine: `run()` starts it; `classify(error)` says how a failure
 * is counted: `'failure'`, `'success'` (the dependency answered), or `'ignore'` (not counted at
 * all; for a half-open probe, the next call probes instead).
 *
 * @example
 * ```ts
 * import type { EngineCall } from '@milkyway/resilience';
 * const call: EngineCall<number> = { run: async () => 1, classify: () => 'failure' };
 * ```
 */
export interface EngineCall<T> {
  /** Starts the call. */
  run(): Promise<T>;
  /** Classifies a rejection. */
  classify(error: unknown): Verdict;
}

/**
 * The contract a breaker engine implements (the default is opossum: {@link createOpossumEngine}).
 *
 * @example
 * ```ts
 * import { circuitBreaker, createOpossumEngine, type EngineFactory } from '@milkyway/resilience';
 * const logged: EngineFactory = (settings, onTransition) =>
 *   createOpossumEngine(settings, (from, to) => { console.info(from, to); onTransition(from, to); });
 * const breaker = circuitBreaker({ engine: logged });
 * ```
 */
export interface BreakerEngine {
  /** Current state. */
  readonly state: BreakerState;
  /** True when a call may pass now: closed, or half-open with the probe slot free. */
  admits(): boolean;
  /** Runs `call` as one counted call (see {@link EngineCall}). */
  fire<T>(call: EngineCall<T>): Promise<T>;
  /** Forces the breaker open (it half-opens after the reset timeout as usual). */
  open(): void;
  /** Forces the breaker closed with a fresh window. */
  close(): void;
  /** Stops timers and detaches listeners. */
  dispose(): void;
}

/**
 * Builds a breaker engine; `onTransition` must be called after every state change.
 *
 * @example
 * ```ts
 * import { createOpossumEngine, type EngineFactory } from '@milkyway/resilience';
 * const factory: EngineFactory = createOpossumEngine;
 * ```
 */
export type EngineFactory = (
  settings: EngineSettings,
  onTransition: (from: BreakerState, to: BreakerState) => void,
) => BreakerEngine;
