import { asLayerFn, type Layer, registerLayer, Scope } from '../policy/scope.js';
import type { ExecuteOptions, Operation } from '../policy/types.js';
import { Emitter } from '../telemetry/events.js';
import { BoundCounter } from '../telemetry/metrics.js';

/**
 * Options of {@link fallback}.
 *
 * @example
 * ```ts
 * import { BrokenCircuitError, fallback, type FallbackOptions } from '@milkyway/resilience';
 * const lastKnownPrices = { tea: 250 };
 * const options: FallbackOptions = { when: (e) => BrokenCircuitError.is(e) };
 * const cached = fallback(() => lastKnownPrices, options);
 * ```
 */
export interface FallbackOptions {
  /** Which errors the fallback answers (default: every error except the caller's cancellation). */
  when?: (error: unknown) => boolean;
  /** Name used in events and metric attributes. */
  name?: string;
}

/**
 * Events of a {@link Fallback}.
 *
 * @example
 * ```ts
 * import { fallback, type FallbackEvents } from '@milkyway/resilience';
 * const cached = fallback(() => []);
 * cached.on('fallback', (e: FallbackEvents['fallback']) => console.warn('served stale', e.error));
 * ```
 */
export interface FallbackEvents {
  /** The fallback answered instead of the call, which failed with `error`. */
  fallback: { name: string; error: unknown };
}

class FallbackCore<R> implements Layer {
  readonly events = new Emitter<FallbackEvents>();
  private readonly used: BoundCounter;

  constructor(
    readonly name: string,
    private readonly produce: (error: unknown) => R | PromiseLike<R>,
    private readonly when: (error: unknown) => boolean,
  ) {
    this.used = new BoundCounter('milkyway.fallback.used', 'Calls answered by a fallback', {
      'milkyway.policy.name': name,
    });
  }

  run<T>(fn: (scope: Scope) => Promise<T>, scope: Scope): Promise<T> {
    let result: Promise<T>;
    try {
      result = fn(scope);
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.then(undefined, (error: unknown) => {
      // A caller who cancelled gets their cancellation, not a substitute answer.
      if (scope.aborted || !this.when(error)) throw error;
      this.used.add();
      this.events.emit('fallback', { name: this.name, error });
      return this.produce(error) as T | PromiseLike<T>;
    });
  }
}

/**
 * A fallback, as {@link fallback} builds it (the only way to make one).
 *
 * @example
 * ```ts
 * import { fallback, type Fallback } from '@milkyway/resilience';
 * const orEmpty: Fallback<string[]> = fallback<string[]>(() => []);
 * ```
 */
export class Fallback<R = unknown> {
  /** Name used in events and metrics. */
  readonly name: string;
  private readonly core: FallbackCore<R>;

  /** @internal Use {@link fallback}. */
  constructor(value: R | ((error: unknown) => R | PromiseLike<R>), options: FallbackOptions = {}) {
    this.name = options.name ?? 'fallback';
    const produce =
      typeof value === 'function'
        ? (value as (error: unknown) => R | PromiseLike<R>)
        : () => value as R;
    this.core = new FallbackCore(this.name, produce, options.when ?? (() => true));
    registerLayer(this, this.core);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof FallbackEvents>(
    event: K,
    listener: (e: FallbackEvents[K]) => void,
  ): () => void {
    return this.core.events.on(event, listener);
  }

  /** Runs `fn`; when it fails with a matching error, answers with the fallback instead. */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T | R> {
    return this.core.run(asLayerFn(fn) as (s: Scope) => Promise<T | R>, Scope.root(options));
  }
}

/**
 * A fallback: when the wrapped call fails with an error matching `when`, answer with `value`
 * (or the result of calling it with the error) instead. A function is always called, never
 * returned as the value. The caller's own cancellation is never answered by a fallback.
 *
 * @example
 * ```ts
 * import { fallback, policy } from '@milkyway/resilience';
 * declare function loadPrices(signal: AbortSignal): Promise<{ prices: number[]; stale: boolean }>;
 * const prices = policy({ fallback: fallback(() => ({ prices: [], stale: true })), attemptTimeoutMs: 500 });
 * const result = await prices.execute(({ signal }) => loadPrices(signal));
 * ```
 */
export function fallback<R>(
  value: R | ((error: unknown) => R | PromiseLike<R>),
  options?: FallbackOptions,
): Fallback<R> {
  return new Fallback<R>(value, options);
}
