import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';

/**
 * What the hand-built peers use for their server span: the OpenTelemetry SDK's tracer provider
 * with the batch processor and the in-memory exporter (cleared every second so that memory stays
 * flat), registered globally.
 */
export function setupPeerTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  setInterval(() => exporter.reset(), 1000).unref();
  const tracer = trace.getTracer('bench-peer');
  return {
    /** Starts a server span named like the semantic conventions want. */
    start(method: string, route: string, path: string): Span {
      return tracer.startSpan(`${method} ${route}`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'http.route': route, 'url.path': path },
      });
    },
    end(span: Span, status: number) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
    shutdown: () => provider.shutdown(),
  };
}
