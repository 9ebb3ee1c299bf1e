import {
  type Attributes,
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { activeTracer } from './instrumentation.js';
import {
  first,
  headersGetter,
  nodeHeaders,
  nodeHeadersGetter,
  nodeOutgoing,
} from './propagation.js';
import { routeTemplate } from './route.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  errorType,
  normalizeMethod,
} from './semconv.js';

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
 * - The span is named `METHOD /route/:template` once the router has matched (just `METHOD`
 *   for unmatched requests) and carries `http.request.method`, `http.route`,
 *   `http.response.status_code`, `url.path`, `url.scheme`, `server.address`, `server.port`,
 *   `user_agent.original` and, on a 5xx, `error.type`.
 * - 5xx responses set the span status to ERROR and record the exception that caused them;
 *   4xx responses leave the status unset (they are the client's fault).
 * - Inbound `traceparent`/`tracestate`/`baggage` are extracted with the globally registered
 *   propagator; invalid values start a new trace (W3C Trace Context), they never fail the
 *   request.
 * - The span is active while the rest of the chain runs, so outbound calls
 *   ({@link tracingInterceptor}, {@link tracedFetch}) and log lines ({@link createLogger})
 *   join the trace.
 * - The trace id is echoed in the `x-trace-id` response header.
 *
 * With no tracer provider registered it only calls `next()`: the cost is a few property
 * reads. Register one with `setupTelemetry()` from `@milkyway/observability/setup`.
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
  const traceIdHeader = options.traceIdHeader === undefined ? 'x-trace-id' : options.traceIdHeader;
  const ignore = options.ignore;

  return async function tracingMiddleware(c, next) {
    const tracer = activeTracer();
    if (tracer === undefined || ignore?.(c)) return next();

    const request = c.req.raw;
    const node = nodeHeaders(c.env);
    const parent =
      node !== undefined
        ? propagation.extract(context.active(), node, nodeHeadersGetter)
        : propagation.extract(context.active(), request.headers, headersGetter);
    const method = normalizeMethod(request.method);
    const spanName = method === '_OTHER' ? 'HTTP' : method;
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: c.req.path,
      [ATTR_URL_SCHEME]: scheme(request.url),
    };
    if (method === '_OTHER') attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = request.method;
    const host = node !== undefined ? first(node.host) : request.headers.get('host');
    if (host) setHost(attributes, host);
    const userAgent =
      node !== undefined ? first(node['user-agent']) : request.headers.get('user-agent');
    if (userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;

    const span = tracer.startSpan(spanName, { kind: SpanKind.SERVER, attributes }, parent);
    const spanContext = span.spanContext();
    // On @hono/node-server, write the trace id header straight onto Node's response: it is
    // merged into the response head and keeps the server's fast path for simple responses.
    let headerPending = traceIdHeader !== false && isSpanContextValid(spanContext);
    if (headerPending) {
      const outgoing = nodeOutgoing(c.env);
      if (outgoing !== undefined) {
        outgoing.setHeader(traceIdHeader as string, spanContext.traceId);
        headerPending = false;
      }
    }

    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (error) {
      // Only reached when no error handler rendered the error (Hono's compose normally does).
      const route = routeTemplate(c);
      if (route !== undefined) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${spanName} ${route}`);
      }
      span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      span.end();
      throw error;
    }

    const status = c.res.status;
    if (span.isRecording()) {
      const route = routeTemplate(c);
      if (route !== undefined) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${spanName} ${route}`);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) {
        const error = c.error;
        span.setAttribute(ATTR_ERROR_TYPE, error ? errorType(error) : String(status));
        if (error) span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error ? error.message : undefined });
      }
    }
    span.end();

    if (headerPending) setResponseHeader(c, traceIdHeader as string, spanContext.traceId);
  };
}

function scheme(url: string): string {
  const colon = url.indexOf(':');
  return colon > 0 ? url.slice(0, colon) : 'http';
}

function setHost(attributes: Attributes, host: string): void {
  // `host` or `host:port`, IPv6 literals in brackets: `[::1]:8080`.
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  if (colon > close) {
    attributes[ATTR_SERVER_ADDRESS] = unbracket(host.slice(0, colon));
    const port = Number(host.slice(colon + 1));
    if (Number.isInteger(port) && port > 0 && port < 65536) attributes[ATTR_SERVER_PORT] = port;
  } else {
    attributes[ATTR_SERVER_ADDRESS] = unbracket(host);
  }
}

function unbracket(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

function messageOf(error: unknown): string | undefined {
  return error instanceof Error ? error.message : undefined;
}

function setResponseHeader(c: { res: Response }, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    // A Response with immutable headers (one returned by fetch): Hono's setter copies it.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}
