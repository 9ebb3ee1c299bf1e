import { type Attributes, ValueType } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { instrumentCache } from './instrumentation.js';
import { routeTemplate } from './route.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_STATUS_CLASS,
  ATTR_URL_SCHEME,
  errorType,
  HTTP_DURATION_BUCKETS,
  METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
  normalizeMethod,
  statusClass,
} from './semconv.js';

/**
 * Options of {@link metrics}.
 *
 * @example
 * ```ts
 * import { type MetricsOptions, metrics } from '@milkyway/observability';
 *
 * const options: MetricsOptions = { ignore: (c) => c.req.path === '/metrics' };
 * const middleware = metrics(options);
 * ```
 */
export interface MetricsOptions {
  /** Requests that are not measured, e.g. the `/metrics` scrape itself or health probes. */
  ignore?: (c: import('hono').Context) => boolean;
}

/**
 * In-flight requests by method and scheme. Counted in plain numbers and reported when the
 * SDK collects (an asynchronous up-down counter): two synchronous `add()` calls per request
 * would cost more than the rest of the middleware.
 */
const inFlight = new Map<string, { attributes: Attributes; count: number }>();

function inFlightEntry(method: string, scheme: string) {
  const key = scheme === 'https' ? `${method} s` : method;
  let entry = inFlight.get(key);
  if (entry === undefined) {
    entry = {
      attributes: Object.freeze({ [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_SCHEME]: scheme }),
      count: 0,
    };
    inFlight.set(key, entry);
  }
  return entry;
}

const instruments = instrumentCache((meter) => {
  meter
    .createObservableUpDownCounter(METRIC_HTTP_SERVER_ACTIVE_REQUESTS, {
      description: 'Number of active HTTP server requests.',
      unit: '{request}',
      valueType: ValueType.INT,
    })
    .addCallback((result) => {
      for (const entry of inFlight.values()) result.observe(entry.count, entry.attributes);
    });
  return {
    duration: meter.createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS] },
    }),
  };
});

/**
 * Hono middleware that records the standard HTTP server metrics through
 * `@opentelemetry/api` (meter `@milkyway/observability`):
 *
 * - `http.server.request.duration` — histogram in seconds with the semantic-convention
 *   bucket boundaries, attributes `http.request.method`, `http.route` (the template, absent
 *   for unmatched requests), `http.response.status_code`, `milkyway.http.status_class`
 *   (`2xx`…`5xx`), `url.scheme` and, on a 5xx or a thrown error, `error.type`.
 * - `http.server.active_requests` — up-down counter of in-flight requests, attributes
 *   `http.request.method`, `url.scheme`.
 *
 * With no meter provider registered it only calls `next()`. Expose the data with
 * `setupTelemetry({ prometheus: true })` and `mountMetrics()` from
 * `@milkyway/observability/setup`, or push it with OTLP.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { metrics } from '@milkyway/observability';
 *
 * const app = new Hono();
 * app.use(metrics({ ignore: (c) => c.req.path === '/metrics' }));
 * app.get('/products/:id', (c) => c.json({ id: c.req.param('id') }));
 * ```
 */
export function metrics(options: MetricsOptions = {}): MiddlewareHandler {
  const ignore = options.ignore;

  return async function metricsMiddleware(c, next) {
    const recorders = instruments();
    if (recorders === undefined || ignore?.(c)) return next();

    const start = performance.now();
    const method = normalizeMethod(c.req.method);
    const url = c.req.url;
    const scheme = url.startsWith('https:') ? 'https' : 'http';
    const active = inFlightEntry(method, scheme);
    active.count++;

    let thrown: unknown;
    let failed = false;
    try {
      await next();
    } catch (error) {
      failed = true;
      thrown = error;
      throw error;
    } finally {
      active.count--;
      const status = failed ? 500 : c.res.status;
      const attributes: Attributes = {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_SCHEME]: scheme,
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
        [ATTR_STATUS_CLASS]: statusClass(status),
      };
      const route = routeTemplate(c);
      if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
      if (failed) attributes[ATTR_ERROR_TYPE] = errorType(thrown);
      else if (status >= 500) {
        attributes[ATTR_ERROR_TYPE] = c.error ? errorType(c.error) : String(status);
      }
      recorders.duration.record((performance.now() - start) / 1000, attributes);
    }
  };
}
