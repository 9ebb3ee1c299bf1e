import type { Context, MiddlewareHandler } from 'hono';
import { first, nodeHeaders } from './propagation.js';
import { routeTemplate } from './route.js';
import { errorType } from './semconv.js';

/**
 * The logger shape {@link requestLogger} writes to: Milkyway's `Logger` protocol, which
 * pino loggers (and {@link createLogger}'s) satisfy.
 *
 * @example
 * ```ts
 * import { createLogger, type RequestLogSink } from '@milkyway/observability';
 *
 * const sink: RequestLogSink = createLogger({ name: 'catalog' });
 * sink.child({ request_id: 'r-1' }).info({ status: 200 }, 'request completed');
 * ```
 */
export interface RequestLogSink {
  /** Writes an info line. */
  info(obj: object, msg?: string): void;
  /** Writes a warn line. */
  warn(obj: object, msg?: string): void;
  /** Writes an error line. */
  error(obj: object, msg?: string): void;
  /** Writes a debug line. */
  debug(obj: object, msg?: string): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): RequestLogSink;
}

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
  /** Where the lines go (e.g. {@link createLogger}'s logger). */
  logger: RequestLogSink;
  /** Requests that are not logged, e.g. health probes. */
  ignore?: (c: Context) => boolean;
  /**
   * Also expose a child logger bound to `request_id` as `c.var.logger` for handlers.
   * Default `true`.
   */
  exposeLogger?: boolean;
}

/**
 * Hono middleware that writes one line per request when it completes:
 * `{ method, route, status, duration_ms, request_id }` with the message `request completed`,
 * at `info` (2xx/3xx), `warn` (4xx) or `error` (5xx, with `error_type`, the class of the
 * error a handler threw). It is an access log: the error itself (message, stack) is for the
 * error handler to log (`@milkyway/core`'s does), not repeated here.
 * `route` is the template (`/products/:id`), absent for unmatched requests; `request_id` is
 * `c.var.requestId` (set by `@milkyway/core`), else the `x-request-id` request header.
 * Placed after {@link tracing}, the line also carries `trace_id`/`span_id`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { createLogger, type RequestLogSink, requestLogger, tracing } from '@milkyway/observability';
 *
 * const logger = createLogger({ name: 'catalog' });
 * const app = new Hono<{ Variables: { logger: RequestLogSink } }>(); // a Milkyway service has it typed already
 * app.use(tracing());
 * app.use(requestLogger({ logger }));
 * app.get('/products/:id', (c) => {
 *   c.var.logger.debug({ id: c.req.param('id') }, 'loading product');
 *   return c.json({ id: c.req.param('id') });
 * });
 * // {"level":"info",…,"trace_id":"4bf9…","method":"GET","route":"/products/:id","status":200,"duration_ms":0.42,"request_id":"…","msg":"request completed"}
 * ```
 */
export function requestLogger(
  options: RequestLoggerOptions,
): MiddlewareHandler<{ Variables: { logger: RequestLogSink } }> {
  const { logger, ignore } = options;
  const expose = options.exposeLogger !== false;

  return async function requestLoggerMiddleware(c, next) {
    if (ignore?.(c)) return next();
    const start = performance.now();
    const requestId = (c.get('requestId' as never) as string | undefined) ?? requestIdHeader(c);
    if (expose) c.set('logger', requestId ? logger.child({ request_id: requestId }) : logger);

    let thrown: unknown;
    let failed = false;
    try {
      await next();
    } catch (error) {
      failed = true;
      thrown = error;
      throw error;
    } finally {
      const status = failed ? 500 : c.res.status;
      const line: Record<string, unknown> = {
        method: c.req.method,
        route: routeTemplate(c),
        status,
        duration_ms: Math.round((performance.now() - start) * 1000) / 1000,
        request_id: requestId,
      };
      if (status >= 500) {
        const error = failed ? thrown : c.error;
        if (error !== undefined) line.error_type = errorType(error);
        logger.error(line, 'request completed');
      } else if (status >= 400) {
        logger.warn(line, 'request completed');
      } else {
        logger.info(line, 'request completed');
      }
    }
  };
}

function requestIdHeader(c: Context): string | undefined {
  const node = nodeHeaders(c.env);
  return node !== undefined ? first(node['x-request-id']) : c.req.header('x-request-id');
}
