import { instrumentationScope } from '@milkyway/protocol';
import {
  createNoopMeter,
  type Meter,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/** Instrumentation scope (tracer and meter name) of this package. @internal */
export const SCOPE = instrumentationScope('observability');

const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
const NoopMeter = createNoopMeter().constructor;

let tracerSource: TracerProvider | undefined;
let tracer: Tracer | undefined;

/**
 * The tracer of the globally registered provider, or `undefined` while none is registered
 * (the API's no-op), so callers can skip all work. Looked up per call (a few property reads)
 * so that a provider registered after the middleware was created, or replaced between tests,
 * is honoured.
 * @internal
 */
export function activeTracer(): Tracer | undefined {
  const global = trace.getTracerProvider();
  const provider = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  if (provider === NOOP_TRACER_PROVIDER) return undefined;
  if (provider !== tracerSource) {
    tracerSource = provider;
    tracer = provider.getTracer(SCOPE);
  }
  return tracer;
}

/**
 * Instruments built lazily against the current global meter provider and rebuilt when it
 * changes; `undefined` while the provider is the API's no-op.
 * @internal
 */
export function instrumentCache<T>(build: (meter: Meter) => T): () => T | undefined {
  let source: MeterProvider | undefined;
  let built: T | undefined;
  return () => {
    const provider = metrics.getMeterProvider();
    if (provider !== source) {
      source = provider;
      const meter = provider.getMeter(SCOPE);
      built = meter instanceof NoopMeter ? undefined : build(meter);
    }
    return built;
  };
}
