import { instrumentationScope } from '@milkyway/protocol';
import { type Attributes, type Counter, type Meter, metrics } from '@opentelemetry/api';

/**
 * Meter name of every instrument of this package (protocol 7, telemetry scope names).
 *
 * @example
 * ```ts
 * import { METER_NAME } from '@milkyway/resilience';
 * METER_NAME; // '@milkyway/resilience'
 * ```
 */
export const METER_NAME: string = instrumentationScope('resilience');

/** Internal: the package's meter, looked up when a primitive is created (so an SDK registered first is used). */
export function meter(): Meter {
  return metrics.getMeter(METER_NAME);
}

/** Internal: a counter with a fixed set of attributes bound to one primitive. */
export class BoundCounter {
  private readonly counter: Counter;
  private readonly attributes: Attributes;

  constructor(name: string, description: string, attributes: Attributes) {
    this.counter = meter().createCounter(name, { description, unit: '{event}' });
    this.attributes = attributes;
  }

  add(value = 1, extra?: Attributes): void {
    this.counter.add(value, extra ? { ...this.attributes, ...extra } : this.attributes);
  }
}

interface Observed {
  attributes: Attributes;
  read(): number;
}

const registries = new Map<
  string,
  { sources: Set<WeakRef<Observed>>; meters: WeakSet<Meter>; added: number }
>();

/**
 * Internal: registers `source` with an observable gauge `name`. One gauge per meter reads every
 * live source on collection: no per-call cost.
 */
export function observeGauge(name: string, description: string, source: Observed): void {
  let registry = registries.get(name);
  if (registry === undefined) {
    registry = { sources: new Set(), meters: new WeakSet(), added: 0 };
    registries.set(name, registry);
  }
  registry.sources.add(new WeakRef(source));
  // Without an SDK the gauge callback never runs: sweep dead sources here now and then.
  if (++registry.added % 1024 === 0) {
    for (const ref of registry.sources) if (ref.deref() === undefined) registry.sources.delete(ref);
  }
  const m = meter();
  if (registry.meters.has(m)) return;
  registry.meters.add(m);
  const sources = registry.sources;
  m.createObservableGauge(name, { description }).addCallback((result) => {
    for (const ref of sources) {
      const live = ref.deref();
      if (live === undefined) sources.delete(ref);
      else result.observe(live.read(), live.attributes);
    }
  });
}
