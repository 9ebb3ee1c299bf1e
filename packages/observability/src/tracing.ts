import type { MiddlewareHandler } from 'hono';
import { instrument } from './http/instrument.js';

/**
 * Options of {@link tracing}.
 *
 * @example
 * ```ts
 * import { type TracingOptions, tracing } from '@milkyway/observability';
 *
 * const options: TracingOptions = {
 *   traceIdHeader: 'trace-id',
 *   ignore: (c) => c.req.path === '/livez' || c.req.path === '/metrics',
 * };
 * const middleware = tracing(options);
 * ```
 */
export interface TracingOptions {
  /**
   * Response header that carries the request's trace id (32 lowercase hex characters), for
   * users to quote in a bug report; `false` to send none. Default `x-trace-id`.
   */
  traceIdHeader?: string | false;
  /**
   * Requests for which no span is created (the handler still runs), e.g. health probes:
   * `ignore: (c) => c.req.path === '/healthz'`.
   */
  ignore?: (c: import('hono').Context) => boolean;
}

/**
 * Hono middleware that traces every request with one SERVER span, following the
 * OpenTelemetry HTTP semantic conventions.
 *
 * - The span is named `METHOD /route/:template` when it starts (Hono's router has matched
 *   every handler of the request before the chain runs, so samplers see it; just `METHOD`
 *   for unmatched requests) and carries `http.request.method`, `http.route`,
 *   `http.response.status_code`, `url.path`, `url.scheme`, `server.address`, `server.port`,
 *   `user_agent.original` and, on a 5xx, `error.type`.
 * - 5xx responses set the span status to ERROR and record the exception that caused them;
 *   4xx responses leave the status unset (they are the client's fault).
 * - Inbound `traceparent`/`tracestate`/`baggage` are extracted with the globally registered
 *   propagator (`setupTelemetry()` registers {@link TraceContextPropagator}: W3C Trace Context
 *   Level 2); invalid values start a new trace, they never fail the request.
 * - The span is active while the rest of the chain runs, so outbound calls
 *   ({@link tracingInterceptor}, {@link tracedFetch}) and log lines ({@link createLogger})
 *   join the trace.
 * - The trace id is echoed in the `x-trace-id` response header.
 *
 * With no tracer provider registered it only calls `next()`: the cost is a few property
 * reads. Register one with `setupTelemetry()` from `@milkyway/observability/setup`. To get
 * the span, the metrics and the access log in one step, use {@link observability}.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { tracing } from '@milkyway/observability';
 *
 * const app = new Hono();
 * app.use(tracing({ ignore: (c) => c.req.path === '/healthz' }));
 * app.get('/products/:id', (c) => c.json({ id: c.req.param('id') }));
 * // GET /products/42 -> span "GET /products/:id", response header x-trace-id: 4bf92f...
 * ```
 */
export function tracing(options: TracingOptions = {}): MiddlewareHandler {
  return instrument({
    tracing: {
      traceIdHeader: options.traceIdHeader === undefined ? 'x-trace-id' : options.traceIdHeader,
      ignore: options.ignore,
    },
  });
}
