/**
 * Internal: the state machine behind {@link CircuitBreaker}. Milkyway's breaker owns the public
 * interface, classification, errors, events and metrics; an engine only counts outcomes and
 * decides transitions. The default engine is opossum ({@link createOpossumEngine}); another
 * library can be slotted in by implementing this interface.
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

/** How one call's outcome is counted. */
export type Verdict = 'success' | 'failure' | 'ignore';

/** Settings an engine is built with (already validated and defaulted). */
export interface EngineSettings {
  name: string;
  /** Opens when failures / calls in the window exceed this percentage. */
  failureRateThreshold: number;
  /** Calls needed in the window before the failure rate is judged. */
  minimumCalls: number;
  windowMs: number;
  buckets: number;
  resetTimeoutMs: number;
}

/** Internal engine contract. */
export interface BreakerEngine {
  /** Current state. */
  readonly state: BreakerState;
  /** True when a call may pass now: closed, or half-open with the probe slot free. */
  admits(): boolean;
  /**
   * Runs `run` as one counted call. `classify` turns a rejection into a verdict: `'failure'` is
   * counted, `'success'` is counted as a success, `'ignore'` is not counted at all (and, for a
   * half-open probe, lets the next call probe instead).
   */
  fire<T>(run: () => Promise<T>, classify: (error: unknown) => Verdict): Promise<T>;
  /** Forces the breaker open (it half-opens after the reset timeout as usual). */
  open(): void;
  /** Forces the breaker closed with a fresh window. */
  close(): void;
  /** Stops timers and detaches listeners. */
  dispose(): void;
}

/** Builds an engine; `onTransition` is called after every state change. */
export type EngineFactory = (
  settings: EngineSettings,
  onTransition: (from: BreakerState, to: BreakerState) => void,
) => BreakerEngine;
