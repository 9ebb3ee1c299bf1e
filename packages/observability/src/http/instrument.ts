import { LOG_FIELDS, type Logger } from '@milkyway/protocol';
import { context } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import { activeTracer } from '../instrumentation.js';
import { routeTemplate } from '../route.js';
import { requestIdOf, writeAccessLog } from './access-log.js';
import { requestFacts } from './request-facts.js';
import {
  type InFlight,
  inFlightEntry,
  recordDuration,
  serverInstruments,
} from './server-metrics.js';
import { endServerSpan, type ServerSpan, startServerSpan } from './server-span.js';

type Ignore = ((c: Context) => boolean) | undefined;

/** Which signals a middleware built by {@link instrument} produces. @internal */
export interface InstrumentParts {
  tracing?: { traceIdHeader: string | false; ignore: Ignore };
  metrics?: { ignore: Ignore };
  log?: { logger: Logger; ignore: Ignore; exposeLogger: boolean };
}

/**
 * The one implementation behind `observability()`, `tracing()`, `metrics()` and
 * `requestLogger()`: per request, one wrap of `next()`, one status computation, one route
 * lookup and one clock reading at each end, shared by the span, the duration record and the
 * access-log line, which therefore always agree. A signal whose provider is not registered
 * (no tracer or meter provider) costs nothing; with none of them the middleware only calls
 * `next()`.
 * @internal
 */
export function instrument(parts: InstrumentParts): MiddlewareHandler {
  const tracingPart = parts.tracing;
  const metricsPart = parts.metrics;
  const logPart = parts.log;

  return async function instrumented(c, next) {
    const tracer = tracingPart !== undefined ? activeTracer() : undefined;
    const traced = tracer !== undefined && !tracingPart!.ignore?.(c);
    const recorders = metricsPart !== undefined ? serverInstruments() : undefined;
    const measured = recorders !== undefined && !metricsPart!.ignore?.(c);
    const logged = logPart !== undefined && !logPart.ignore?.(c);
    if (!traced && !measured && !logged) return next();

    const start = performance.now();
    const facts = requestFacts(c);
    // The router matched every handler of the request before the chain runs: the template is
    // known now, for the span's start, and stays the same for the metric and the log line.
    const route = routeTemplate(c);
    const server: ServerSpan | undefined = traced
      ? startServerSpan(tracer, c, facts, route, tracingPart!.traceIdHeader)
      : undefined;
    let active: InFlight | undefined;
    if (measured) {
      active = inFlightEntry(facts.method, facts.scheme);
      active.count++;
    }
    let requestId: string | undefined;
    if (logged) {
      requestId = requestIdOf(c, facts);
      if (logPart.exposeLogger) {
        const logger =
          requestId !== undefined
            ? logPart.logger.child({ [LOG_FIELDS.requestId]: requestId })
            : logPart.logger;
        c.set('logger' as never, logger as never);
      }
    }

    let escaped = false;
    let thrown: unknown;
    try {
      // The span is made current for the rest of the chain only: that is where child spans,
      // outbound calls and log lines can pick it up.
      await (server !== undefined ? context.with(server.active, next) : next());
    } catch (error) {
      // Only reached when no error handler rendered the error (Hono's compose normally does).
      escaped = true;
      thrown = error;
      throw error;
    } finally {
      const elapsedMs = performance.now() - start;
      const outcome = {
        status: escaped ? 500 : c.res.status,
        route,
        error: escaped ? thrown : c.error,
        escaped,
      };
      if (server !== undefined) endServerSpan(server, c, outcome);
      if (active !== undefined) {
        active.count--;
        recordDuration(recorders!.duration, elapsedMs, facts.method, facts.scheme, outcome);
      }
      if (logged) writeAccessLog(logPart.logger, c, requestId, elapsedMs, outcome, server?.span);
    }
  };
}
