import type { Logger } from '@milkyway/protocol';
import type { Context, MiddlewareHandler } from 'hono';
import { instrument } from './http/instrument.js';

/**
 * Options of {@link requestLogger}.
 *
 * @example
 * ```ts
 * import { createLogger, type RequestLoggerOptions, requestLogger } from '@milkyway/observability';
 *
 * const options: RequestLoggerOptions = {
 *   logger: createLogger({ name: 'catalog' }),
 *   ignore: (c) => c.req.path === '/livez',
 * };
 * const middleware = requestLogger(options);
 * ```
 */
export interface RequestLoggerOptions {
  /** Where the lines go: any `Logger` of `@milkyway/protocol` (e.g. {@link createLogger}'s). */
  logger: Logger;
  /** Requests that are not logged, e.g. health probes. */
  ignore?: (c: Context) => boolean;
  /**
   * Also expose a child logger bound to `requestId` as `c.var.logger` for handlers.
   * Default `true`.
   */
  exposeLogger?: boolean;
}

/**
 * Hono middleware that writes one line per request when it completes:
 * `{ method, route, status, durationMs, requestId }` with the message `request completed`,
 * at `info` (2xx/3xx), `warn` (4xx) or `error` (5xx, with `errorType`, the class of the
 * error a handler threw). It is an access log: the error itself (message, stack) is for the
 * error handler to log (`@milkyway/core`'s does), not repeated here.
 * `route` is the template (`/products/:id`), absent for unmatched requests; `requestId` is
 * `c.var.requestId` (set by `@milkyway/core`), else the `x-request-id` request header.
 * Placed after {@link tracing}, the line also carries `trace_id`/`span_id`. To get the span,
 * the metrics and this line in one step, use {@link observability}.
 *
 * @example
 * ```ts
 * import type { Logger } from '@milkyway/protocol';
 * import { Hono } from 'hono';
 * import { createLogger, requestLogger, tracing } from '@milkyway/observability';
 *
 * const logger = createLogger({ name: 'catalog' });
 * const app = new Hono<{ Variables: { logger: Logger } }>(); // a Milkyway service has it typed already
 * app.use(tracing());
 * app.use(requestLogger({ logger }));
 * app.get('/products/:id', (c) => {
 *   c.var.logger.debug({ id: c.req.param('id') }, 'loading product');
 *   return c.json({ id: c.req.param('id') });
 * });
 * // {"level":"info",…,"trace_id":"4bf9…","method":"GET","route":"/products/:id","status":200,"durationMs":0.42,"requestId":"…","msg":"request completed"}
 * ```
 */
export function requestLogger(
  options: RequestLoggerOptions,
): MiddlewareHandler<{ Variables: { logger: Logger } }> {
  return instrument({
    log: {
      logger: options.logger,
      ignore: options.ignore,
      exposeLogger: options.exposeLogger !== false,
    },
  });
}
