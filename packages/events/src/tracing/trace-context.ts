import {
  type Context,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from '@opentelemetry/api';

// The CloudEvents Distributed Tracing extension carries W3C Trace Context values whatever
// propagator the application registered, so these are written and read in the W3C format
// directly (the @opentelemetry/api has no W3C codec outside the SDK's propagator).

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent`/`tracestate` of the span active in `context`, if any. */
export function traceHeadersOf(context: Context): { traceparent?: string; tracestate?: string } {
  const span = trace.getSpanContext(context);
  if (!span || !isSpanContextValid(span)) return {};
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${span.traceId}-${span.spanId}-${flags}`;
  const state = span.traceState?.serialize();
  return state ? { traceparent, tracestate: state } : { traceparent };
}

/** A context whose remote parent is the given `traceparent` (root context when invalid). */
export function contextFromTraceHeaders(
  traceparent: string | undefined,
  tracestate: string | undefined,
): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return ROOT_CONTEXT;
  const spanContext: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
    ...(tracestate ? { traceState: createTraceState(tracestate) } : {}),
  };
  if (!isSpanContextValid(spanContext)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}
