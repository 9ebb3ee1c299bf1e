import { LOG_FIELDS, type Logger } from '@milkyway/protocol';
import {
  context,
  type Histogram,
  type Context as OtelContext,
  ROOT_CONTEXT,
  type Span,
} from '@opentelemetry/api';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { activeTracer } from '../instrumentation.js';
import { type NodeHeaders, nodeHeaders } from '../propagation.js';
import { routeTemplate } from '../route.js';
import { normalizeMethod } from '../semconv.js';
import { requestIdOf, writeAccessLog } from './access-log.js';
import type { RequestFacts } from './request-facts.js';
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
 * Everything one request's signals need, in one object: the facts read once (method, scheme,
 * Node's headers), the route, the clock reading, the span, the in-flight entry and the outcome.
 * One allocation per request instead of a facts object, a span record and an outcome record,
 * and the state that a later `metrics()` joins (see {@link instrument}).
 * @internal
 */
class RequestState implements RequestFacts, ServerSpan {
  method: string;
  scheme: string;
  node: NodeHeaders | undefined;
  route: string | undefined;
  start: number;
  span: Span = undefined as unknown as Span;
  active: OtelContext = ROOT_CONTEXT;
  pendingHeader: string | undefined = undefined;
  inFlight: InFlight | undefined = undefined;
  duration: Histogram | undefined = undefined;
  /** Still inside the wrap's `next()`: a later middleware may add its signal to this request. */
  open = true;
  status = 0;
  error: unknown = undefined;
  escaped = false;

  constructor(c: Context) {
    this.start = performance.now();
    this.method = normalizeMethod(c.req.method);
    this.scheme = c.req.url.startsWith('https:') ? 'https' : 'http';
    this.node = nodeHeaders(c.env);
    // The router matched every handler of the request before the chain runs: the template is
    // known now, for the span's start, and stays the same for the metric and the log line.
    this.route = routeTemplate(c);
  }
}

/** Where the state of the request's outermost wrap hangs on Hono's context. */
const STATE = Symbol.for('milkyway.observability.request');
type Carrier = Context & { [STATE]?: RequestState };

/**
 * The one implementation behind `observability()`, `tracing()`, `metrics()` and
 * `requestLogger()`: per request, one wrap of `next()`, one status computation, one route
 * lookup and one clock reading at each end, shared by the span, the duration record and the
 * access-log line, which therefore always agree. A signal whose provider is not registered
 * (no tracer or meter provider) costs nothing; with none of them the middleware only calls
 * `next()`.
 *
 * When `metrics()` runs inside a wrap that has no metrics of its own (the usual
 * `.use(tracing()).use(metrics())`), it does not wrap `next()` a second time: it adds the
 * duration record and the in-flight count to that wrap's per-request state, so the two
 * middlewares cost one wrap, one route lookup and one clock reading, like `observability()`.
 * @internal
 */
export function instrument(parts: InstrumentParts): MiddlewareHandler {
  const tracingPart = parts.tracing;
  const metricsPart = parts.metrics;
  const logPart = parts.log;
  const joinable = metricsPart !== undefined && tracingPart === undefined && logPart === undefined;

  return function instrumented(c, next) {
    const tracer = tracingPart !== undefined ? activeTracer() : undefined;
    const traced = tracer !== undefined && !tracingPart!.ignore?.(c);
    const recorders = metricsPart !== undefined ? serverInstruments() : undefined;
    const measured = recorders !== undefined && !metricsPart!.ignore?.(c);
    const logged = logPart !== undefined && !logPart.ignore?.(c);
    if (!traced && !measured && !logged) return next();
    if (joinable) {
      const outer = (c as Carrier)[STATE];
      if (outer?.open && outer.duration === undefined) {
        const entry = inFlightEntry(outer.method, outer.scheme);
        entry.count++;
        outer.inFlight = entry;
        outer.duration = recorders!.duration;
        return next();
      }
    }
    const state = new RequestState(c);
    if (traced) startServerSpan(tracer, c, state, tracingPart!.traceIdHeader);
    if (measured) {
      const entry = inFlightEntry(state.method, state.scheme);
      entry.count++;
      state.inFlight = entry;
      state.duration = recorders!.duration;
    } else if ((c as Carrier)[STATE] === undefined) {
      (c as Carrier)[STATE] = state;
    }
    let requestId: string | undefined;
    if (logged) {
      requestId = requestIdOf(c, state);
      if (logPart.exposeLogger) {
        const logger =
          requestId !== undefined
            ? logPart.logger.child({ [LOG_FIELDS.requestId]: requestId })
            : logPart.logger;
        c.set('logger' as never, logger as never);
      }
    }
    return run(c, next, state, traced, logged ? logPart : undefined, requestId);
  };
}

async function run(
  c: Context,
  next: Next,
  state: RequestState,
  traced: boolean,
  logPart: InstrumentParts['log'],
  requestId: string | undefined,
): Promise<void> {
  try {
    // The span is made current for the rest of the chain only: that is where child spans,
    // outbound calls and log lines can pick it up.
    await (traced ? context.with(state.active, next) : next());
  } catch (error) {
    // Only reached when no error handler rendered the error (Hono's compose normally does).
    state.escaped = true;
    state.error = error;
    throw error;
  } finally {
    state.open = false;
    const elapsedMs = performance.now() - state.start;
    if (state.escaped) state.status = 500;
    else {
      state.status = c.res.status;
      state.error = c.error;
    }
    if (traced) endServerSpan(state, c, state);
    const entry = state.inFlight;
    if (entry !== undefined) {
      entry.count--;
      recordDuration(state.duration!, elapsedMs, state.method, state.scheme, state);
    }
    if (logPart !== undefined) {
      writeAccessLog(
        logPart.logger,
        c,
        requestId,
        elapsedMs,
        state,
        traced ? state.span : undefined,
      );
    }
  }
}
