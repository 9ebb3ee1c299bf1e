import type { Logger } from '@milkyway/protocol';
import type { Context, MiddlewareHandler } from 'hono';
import { instrument } from './http/instrument.js';

/**
 * Options of {@link observability}.
 *
 * @example
 * ```ts
 * import { createLogger, type ObservabilityOptions, observability } from '@milkyway/observability';
 *
 * const options: ObservabilityOptions = {
 *   logger: createLogger({ name: 'catalog' }),
 *   ignore: (c) => c.req.path === '/metrics',
 *   traceIdHeader: 'trace-id',
 * };
 * const middleware = observability(options);
 * ```
 */
export interface ObservabilityOptions {
  /**
   * Where the access-log line of each request goes (e.g. {@link createLogger}'s logger, or any
   * `Logger` from `@milkyway/protocol`). Default: no access log (traces and metrics only).
   */
  logger?: Logger;
  /**
   * Also set `c.var.logger` to `logger.child({ requestId })` for handlers. Default `true` when
   * a `logger` is given.
   */
  exposeLogger?: boolean;
  /** Trace the request (one SERVER span). Default `true`; a no-op without a tracer provider. */
  tracing?: boolean;
  /** Record the request metrics. Default `true`; a no-op without a meter provider. */
  metrics?: boolean;
  /**
   * Response header carrying the trace id (32 lowercase hex characters); `false` for none.
   * Default `x-trace-id`.
   */
  traceIdHeader?: string | false;
  /** Requests that get no span, no metric and no log line (health probes, the scrape). */
  ignore?: (c: Context) => boolean;
}

/**
 * Hono middleware that gives every request its three signals in one step — the SERVER span of
 * {@link tracing}, the `http.server.request.duration` record and in-flight count of
 * {@link metrics}, and the access-log line of {@link requestLogger} — with one wrap of
 * `next()`: one status, one route template, one duration measured for all three, so a request
 * that a handler failed, that no route matched (404) or whose error escaped the chain shows the
 * same status in its span, its metric and its log line.
 *
 * Each signal costs nothing until its provider exists: no tracer provider registered, no span
 * and no context switch; no meter provider, no record; no `logger`, no line. Register the
 * providers with `setupTelemetry()` from `@milkyway/observability/setup`.
 *
 * Register it first (right after core's kernel) so that everything after it — auth, rate
 * limits, handlers, outbound calls, log lines — runs inside the request's span.
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 * import { createLogger, observability } from '@milkyway/observability';
 *
 * const logger = createLogger({ name: 'catalog' });
 * const service = createService({ name: 'catalog', version: '1.4.0', logger })
 *   .use(observability({ logger, ignore: (c) => c.req.path === '/metrics' }));
 * service.get('/products/:id', (c) => c.json({ id: c.req.param('id') }));
 * ```
 */
export function observability(options: ObservabilityOptions = {}): MiddlewareHandler {
  const ignore = options.ignore;
  return instrument({
    ...(options.tracing !== false && {
      tracing: {
        traceIdHeader: options.traceIdHeader === undefined ? 'x-trace-id' : options.traceIdHeader,
        ignore,
      },
    }),
    ...(options.metrics !== false && { metrics: { ignore } }),
    ...(options.logger !== undefined && {
      log: { logger: options.logger, ignore, exposeLogger: options.exposeLogger !== false },
    }),
  });
}
