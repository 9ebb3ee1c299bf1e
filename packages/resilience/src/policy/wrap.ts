import type { Fallback } from '../fallback/fallback.js';
import { asLayerFn, type Layer, layerOf, registerLayer, Scope } from './scope.js';
import type { ExecuteOptions, Operation, Policy } from './types.js';

/**
 * Anything `wrap` and `policy` can compose: every {@link Policy}, and a {@link Fallback}
 * (whose result type widens to include its fallback value).
 *
 * @example
 * ```ts
 * import { fallback, timeout, type Composable } from '@milkyway/resilience';
 * const parts: Composable[] = [fallback(null), timeout(500)];
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the fallback's value type is erased by composition.
export type Composable = Policy | Fallback<any>;

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

/** Internal: policies composed into one, outermost first (what `wrap` and `policy` build). */
export class Composed implements Policy {
  private readonly run: Run;

  constructor(policies: readonly Composable[]) {
    this.run = chain(policies.map((p) => layerOf(p)));
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
 * await catalog.execute(({ signal }) => fetch('http://127.0.0.1:3001/health', { signal }));
 * ```
 */
export function wrap(...policies: Composable[]): Policy {
  return new Composed(policies);
}
