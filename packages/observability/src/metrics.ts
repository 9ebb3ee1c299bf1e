import type { MiddlewareHandler } from 'hono';
import { instrument } from './http/instrument.js';

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
 * With no meter provider registered it only calls `next()`. To get the span, the metrics and
 * the access log in one step, use {@link observability}. Expose the data with
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
  return instrument({ metrics: { ignore: options.ignore } });
}
