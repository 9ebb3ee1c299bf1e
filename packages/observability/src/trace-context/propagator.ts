import { TRACEPARENT_HEADER, TRACESTATE_HEADER } from '@milkyway/protocol';
import {
  type Context,
  createContextKey,
  isSpanContextValid,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import {
  FLAG_RANDOM,
  FLAG_SAMPLED,
  formatTraceparent,
  KNOWN_FLAGS,
  parseTraceparent,
} from './traceparent.js';
import { parseTraceState } from './tracestate.js';

/**
 * Options of {@link TraceContextPropagator}.
 *
 * @example
 * ```ts
 * import { TraceContextPropagator, type TraceContextPropagatorOptions } from '@milkyway/observability';
 *
 * // The tracer provider uses an IdGenerator whose trace ids are not random.
 * const options: TraceContextPropagatorOptions = { randomTraceIds: false };
 * const propagator = new TraceContextPropagator(options);
 * ```
 */
export interface TraceContextPropagatorOptions {
  /**
   * Whether the trace ids of traces started in this process are random (at least their
   * right-most 7 bytes), so that their outgoing `traceparent` carries the Level 2
   * `random-trace-id` flag (`02`). Default `true`: the OpenTelemetry SDK's default
   * `RandomIdGenerator` draws all 16 bytes at random. Set `false` with an id generator that
   * puts a timestamp or anything else non-random in the right-most 7 bytes.
   */
  randomTraceIds?: boolean;
}

/** What {@link TraceContextPropagator.extract} remembers about the incoming trace. */
interface IncomingTrace {
  traceId: string;
  random: boolean;
}

const INCOMING_TRACE = createContextKey('@milkyway/observability incoming trace context');
// @opentelemetry/core's suppressTracing() key (context keys are Symbol.for(description)), so
// the main entry does not load the SDK core to honour it.
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
const FIELDS = Object.freeze([TRACEPARENT_HEADER, TRACESTATE_HEADER]);

/**
 * Milkyway's W3C Trace Context propagator: reads and writes `traceparent` and `tracestate`
 * exactly as [Trace Context Level 2](https://www.w3.org/TR/trace-context-2/) says.
 * `setupTelemetry()` registers it (with W3C Baggage); it also works alone with any
 * OpenTelemetry SDK set-up (`propagation.setGlobalPropagator(new TraceContextPropagator())`,
 * or `textMapPropagator` of the Node SDK).
 *
 * What it does that OpenTelemetry's `W3CTraceContextPropagator` does not:
 * - **The `random-trace-id` flag (`02`)** is kept on a continued trace (an incoming `-03`
 *   goes out as `-03` or `-02`, with the local sampling decision in bit 0) and set on traces
 *   this process starts (see {@link TraceContextPropagatorOptions.randomTraceIds}). The SDK's
 *   spans only carry the sampled bit, so the incoming flag is remembered in the context at
 *   extraction. Flags Level 2 does not define are sent as zero.
 * - **An invalid `tracestate` is discarded as a whole** (a key or value outside the grammar,
 *   `foo=bar=baz`, an empty value, more than 32 members, a key over 256 characters, a
 *   duplicated key); Level 2's key grammar is used (`0vendor`, `tenant@system`).
 * - **No empty `tracestate:` header** is ever sent.
 *
 * Like OpenTelemetry's, it ignores an invalid `traceparent` (the callee then starts a new
 * trace, and `tracestate` is not read), reads a higher version by its first four fields,
 * sends version `00`, and injects nothing when the context has no valid span or tracing is
 * suppressed.
 *
 * @example
 * ```ts
 * import { propagation } from '@opentelemetry/api';
 * import { TraceContextPropagator } from '@milkyway/observability';
 *
 * propagation.setGlobalPropagator(new TraceContextPropagator());
 * ```
 */
export class TraceContextPropagator implements TextMapPropagator {
  readonly #localFlags: number;

  constructor(options: TraceContextPropagatorOptions = {}) {
    this.#localFlags = options.randomTraceIds === false ? 0 : FLAG_RANDOM;
  }

  /** Writes `traceparent` (and `tracestate` when it has members) for the context's span. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
    if (context.getValue(SUPPRESS_TRACING) === true) return;
    const flags = this.#flags(context, spanContext);
    setter.set(
      carrier,
      TRACEPARENT_HEADER,
      formatTraceparent(spanContext.traceId, spanContext.spanId, flags),
    );
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE_HEADER, state);
  }

  /**
   * Reads `traceparent` and `tracestate`; on a valid `traceparent` returns a context holding
   * the remote span context, else the context unchanged.
   */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const parent = parseTraceparent(getter.get(carrier, TRACEPARENT_HEADER));
    if (parent === undefined) return context;
    const remote: SpanContext = {
      traceId: parent.traceId,
      spanId: parent.parentId,
      traceFlags: parent.flags & KNOWN_FLAGS,
      isRemote: true,
    };
    const traceState = parseTraceState(getter.get(carrier, TRACESTATE_HEADER));
    if (traceState !== undefined) remote.traceState = traceState;
    const incoming: IncomingTrace = {
      traceId: parent.traceId,
      random: (parent.flags & FLAG_RANDOM) !== 0,
    };
    return trace.setSpanContext(context.setValue(INCOMING_TRACE, incoming), remote);
  }

  /** The header names this propagator reads and writes. */
  fields(): string[] {
    return [...FIELDS];
  }

  /** `trace-flags` to send: the span's sampled bit, the random bit of its trace. */
  #flags(context: Context, spanContext: SpanContext): number {
    // A remote span context passed straight through (no local span): its flags as received.
    if (spanContext.isRemote) return spanContext.traceFlags & KNOWN_FLAGS;
    const sampled = spanContext.traceFlags & FLAG_SAMPLED;
    if ((spanContext.traceFlags & FLAG_RANDOM) !== 0) return sampled | FLAG_RANDOM;
    const incoming = context.getValue(INCOMING_TRACE) as IncomingTrace | undefined;
    if (incoming !== undefined && incoming.traceId === spanContext.traceId) {
      return incoming.random ? sampled | FLAG_RANDOM : sampled;
    }
    // A trace this process started: its id comes from the tracer's id generator.
    return sampled | this.#localFlags;
  }
}
