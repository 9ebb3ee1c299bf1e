import type { FetchInterceptor } from '@milkyway/protocol';
import {
  type Attributes,
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { activeTracer } from './instrumentation.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  errorType,
  normalizeMethod,
} from './semconv.js';

/**
 * Options of {@link tracingInterceptor} and {@link tracedFetch}.
 *
 * @example
 * ```ts
 * import { type TracingInterceptorOptions, tracingInterceptor } from '@milkyway/observability';
 *
 * // Name client spans after the upstream and path: "GET catalog /products".
 * const options: TracingInterceptorOptions = {
 *   spanName: (request) => `${request.method} catalog ${new URL(request.url).pathname}`,
 * };
 * const interceptor = tracingInterceptor(options);
 * ```
 */
export interface TracingInterceptorOptions {
  /**
   * Span name for a request. Default: the method (`GET`), as the HTTP semantic conventions
   * ask when no URL template is known.
   */
  spanName?: (request: Request) => string;
}

/**
 * Traces outbound HTTP calls: one CLIENT span per attempt (child of the active span, e.g. the
 * SERVER span of {@link tracing}), with `http.request.method`, `url.full` (credentials
 * removed), `server.address`, `server.port`, `http.response.status_code`,
 * `http.request.resend_count` on retries and `error.type` on failure (a status >= 400 or a
 * thrown error, which is recorded). It injects `traceparent`/`tracestate` (and `baggage`)
 * with the global propagator into the outgoing request's headers, so the callee continues
 * the same trace.
 *
 * It is a `FetchInterceptor` (`@milkyway/protocol`, the outbound interceptor protocol that
 * `@milkyway/resilience`'s client runs once per attempt). The request's
 * headers are set in place when they are mutable (no body copy); otherwise the request is
 * re-created with the extra headers. With no tracer provider registered it only injects
 * what the active context holds (nothing, without a propagator).
 *
 * @example
 * ```ts
 * import { httpClient } from '@milkyway/resilience/http';
 * import { tracingInterceptor } from '@milkyway/observability';
 *
 * const catalog = httpClient({
 *   baseUrl: 'http://catalog:3000',
 *   interceptors: [tracingInterceptor()],
 * });
 * ```
 */
export function tracingInterceptor(options: TracingInterceptorOptions = {}): FetchInterceptor {
  const spanName = options.spanName;

  return async function tracingInterceptor(request, next, info) {
    const tracer = activeTracer();
    if (tracer === undefined) {
      return next(inject(request, context.active()));
    }

    const method = normalizeMethod(request.method);
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
    };
    if (method === '_OTHER') attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = request.method;
    setUrl(attributes, request.url);
    const attempt = info?.attempt ?? 0;
    if (attempt > 0) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = attempt;

    const name = spanName ? spanName(request) : method === '_OTHER' ? 'HTTP' : method;
    const parent = context.active();
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    const active = trace.setSpan(parent, span);

    let response: Response;
    try {
      response = await context.with(active, next, undefined, inject(request, active));
    } catch (error) {
      span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
      span.recordException(error as Error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : undefined,
      });
      span.end();
      throw error;
    }
    const status = response.status;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 400) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    return response;
  };
}

/**
 * Wraps a `fetch` function (default: the global one) so that every call goes through
 * {@link tracingInterceptor}: a CLIENT span and `traceparent` injection. Use it for plain
 * `fetch` calls that do not go through `@milkyway/resilience`'s client.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { tracedFetch, tracing } from '@milkyway/observability';
 *
 * const fetch = tracedFetch();
 * const app = new Hono();
 * app.use(tracing());
 * app.get('/orders/:id', async (c) => {
 *   const product = await fetch(`http://catalog:3000/products/${c.req.param('id')}`);
 *   return c.json(await product.json());
 * });
 * ```
 */
export function tracedFetch(
  fetchImpl: typeof globalThis.fetch = globalThis.fetch,
  options: TracingInterceptorOptions = {},
): typeof globalThis.fetch {
  const intercept = tracingInterceptor(options);
  const send = (request: Request) => fetchImpl(request);
  const first = { attempt: 0 };
  return function tracedFetch(input: string | URL | Request, init?: RequestInit) {
    const request =
      input instanceof Request && init === undefined ? input : new Request(input, init);
    return intercept(request, send, first);
  } as typeof globalThis.fetch;
}

function inject(request: Request, ctx: import('@opentelemetry/api').Context): Request {
  const fields: Record<string, string> = {};
  propagation.inject(ctx, fields);
  let target = request;
  for (const key in fields) {
    try {
      target.headers.set(key, fields[key]!);
    } catch {
      // Immutable headers: copy the request once, then keep setting on the copy.
      target = new Request(target, { headers: new Headers(target.headers) });
      target.headers.set(key, fields[key]!);
    }
  }
  return target;
}

function setUrl(attributes: Attributes, raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    attributes[ATTR_URL_FULL] = raw;
    return;
  }
  if (url.username || url.password) {
    url.username = url.username ? 'REDACTED' : '';
    url.password = url.password ? 'REDACTED' : '';
  }
  attributes[ATTR_URL_FULL] = url.href;
  attributes[ATTR_SERVER_ADDRESS] = url.hostname.replace(/^\[(.*)\]$/, '$1');
  attributes[ATTR_SERVER_PORT] = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}
