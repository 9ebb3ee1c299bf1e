import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Context as HonoContext } from 'hono';
import {
  headersGetter,
  type NodeHeaders,
  nodeHeadersGetter,
  nodeOutgoing,
} from '../propagation.js';
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
} from '../semconv.js';
import type { RequestFacts } from './request-facts.js';

/** A started SERVER span and the context that makes it current. @internal */
export interface ServerSpan {
  span: Span;
  /** The context to run the rest of the chain in (parent + this span). */
  active: Context;
  /** The trace id header still to set on the Fetch response (not on Node's head). */
  pendingHeader: string | undefined;
}

/**
 * Starts the SERVER span of a request: extracts the caller's trace context (straight from
 * Node's header record on @hono/node-server), sets the start attributes the semantic
 * conventions ask for, and writes the trace id header on Node's response head when it can.
 * The span, the context that makes it current and the pending header are written into
 * `target` (the request's one state object).
 * @internal
 */
export function startServerSpan(
  tracer: Tracer,
  c: HonoContext,
  target: RequestFacts & ServerSpan & { route: string | undefined },
  traceIdHeader: string | false,
): void {
  const node = target.node;
  const request = c.req.raw;
  const parent =
    node !== undefined
      ? propagation.extract(context.active(), node, nodeHeadersGetter)
      : propagation.extract(context.active(), request.headers, headersGetter);
  const method = target.method;
  const route = target.route;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: c.req.path,
    [ATTR_URL_SCHEME]: target.scheme,
  };
  if (method === '_OTHER') attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = request.method;
  if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
  const host = header(node, request, 'host');
  if (host) {
    // Parsed once per Host value (cached).
    const parts = hostParts(host);
    attributes[ATTR_SERVER_ADDRESS] = parts.address;
    if (parts.port !== undefined) attributes[ATTR_SERVER_PORT] = parts.port;
  }
  const userAgent = header(node, request, 'user-agent');
  if (userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;

  // Named and given `http.route` at start (the router matched before the chain ran), so that
  // samplers see them, as the semantic conventions ask.
  const span = tracer.startSpan(
    spanName(method, route),
    { kind: SpanKind.SERVER, attributes },
    parent,
  );
  const spanContext = span.spanContext();
  if (traceIdHeader !== false && isSpanContextValid(spanContext)) {
    // On @hono/node-server, write the header straight onto Node's response: it is merged into
    // the response head and keeps the server's fast path for simple responses.
    const outgoing = nodeOutgoing(c.env);
    if (outgoing !== undefined) outgoing.setHeader(traceIdHeader, spanContext.traceId);
    else target.pendingHeader = traceIdHeader;
  }
  target.span = span;
  target.active = trace.setSpan(parent, span);
}

/**
 * Ends the SERVER span with the request's outcome: the status, and on a 5xx (or an error that escaped the chain) `error.type`, the ERROR status and
 * the exception. 4xx responses leave the status unset (the client's fault).
 * @internal
 */
export function endServerSpan(
  server: ServerSpan,
  c: HonoContext,
  outcome: { status: number; error: unknown; escaped: boolean },
): void {
  const { span } = server;
  if (span.isRecording()) {
    const { status, error, escaped } = outcome;
    if (!escaped) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (escaped || status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, error !== undefined ? errorType(error) : String(status));
      if (error !== undefined) span.recordException(error as Error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : undefined,
      });
    }
  }
  span.end();
  if (server.pendingHeader !== undefined && !outcome.escaped) {
    setResponseHeader(c, server.pendingHeader, span.spanContext().traceId);
  }
}

/** Span names by method and route template, built once each (`GET /products/:id`). */
const spanNames = new Map<string, string>();
const MAX_SPAN_NAMES = 4096;

function spanName(method: string, route: string | undefined): string {
  const base = method === '_OTHER' ? 'HTTP' : method;
  if (route === undefined) return base;
  const key = `${base} ${route}`;
  const known = spanNames.get(key);
  if (known !== undefined) return known;
  if (spanNames.size < MAX_SPAN_NAMES) spanNames.set(key, key);
  return key;
}

function header(node: NodeHeaders | undefined, request: Request, name: string) {
  if (node === undefined) return request.headers.get(name);
  const value = node[name];
  return Array.isArray(value) ? value[0] : value;
}

interface HostParts {
  address: string;
  port: number | undefined;
}

/** `server.address`/`server.port` by Host header value, parsed once each (bounded). */
const hosts = new Map<string, HostParts>();
const MAX_HOSTS = 1024;

function hostParts(host: string): HostParts {
  const known = hosts.get(host);
  if (known !== undefined) return known;
  // `host` or `host:port`, IPv6 literals in brackets: `[::1]:8080`.
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  let parts: HostParts;
  if (colon > close) {
    const port = Number(host.slice(colon + 1));
    parts = {
      address: unbracket(host.slice(0, colon)),
      port: Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
    };
  } else {
    parts = { address: unbracket(host), port: undefined };
  }
  Object.freeze(parts);
  if (hosts.size < MAX_HOSTS) hosts.set(host, parts);
  return parts;
}

function unbracket(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
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
