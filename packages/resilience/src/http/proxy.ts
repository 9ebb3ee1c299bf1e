import {
  DEADLINE_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  isProblemLike,
  type Logger,
  ProblemError,
  type ProblemLike,
  REQUEST_ID_HEADER,
  silentLogger,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
} from '@milkyway/protocol';
import { trace } from '@opentelemetry/api';
import type { Context, Handler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { bodyBytes, type CountedBody, countBytes, rawHeaders, readCapped } from './body.js';
import type { HttpClient } from './client.js';
import { appendForwarding, isForwarding } from './forwarding.js';
import { hopByHopTest, stripHopByHop } from './hop-by-hop.js';
import { type CountedNodeBody, countNodeBody, unreadNodeBody } from './node-body.js';
import { RequestTooLargeError } from './request-too-large-error.js';

/**
 * Options of {@link proxy}.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { httpClient, proxy, type ProxyOptions } from '@milkyway/resilience/http';
 * const app = new Hono();
 * const catalog = httpClient({ baseUrl: 'http://127.0.0.1:3001' });
 * const options: ProxyOptions = {
 *   stripPrefix: '/api/catalog',
 *   maxRequestBytes: 256 * 1024,
 *   trustProxy: (address) => address === '10.0.0.2', // the load balancer in front
 * };
 * app.all('/api/catalog/*', proxy(catalog, options));
 * ```
 */
export interface ProxyOptions {
  /** Removed from the start of the incoming path (`/api/catalog/products` → `/products`). */
  stripPrefix?: string;
  /** Prepended to the path after stripping (`/v1` → `/v1/products`). */
  prefix?: string;
  /** Full control over the upstream path (applied after stripPrefix/prefix). */
  rewrite?: (path: string) => string;
  /** Largest request body forwarded, in bytes (default 1 MiB); larger answers 413. */
  maxRequestBytes?: number;
  /**
   * Request bodies of a declared length up to this many bytes are read before forwarding, so an
   * idempotent request can be retried (default 64 KiB). Larger or chunked bodies stream to the
   * upstream as they arrive, counted against `maxRequestBytes`, and are never retried.
   */
  bufferRequestBytes?: number;
  /** Extra request headers never forwarded (case-insensitive), e.g. `['cookie']`. */
  dropHeaders?: string[];
  /**
   * Request headers forwarded even when the client's `Connection` header names them
   * (case-insensitive), added to the defaults: `authorization`, `cookie`, `content-type`,
   * `accept`, `idempotency-key`, `traceparent`, `tracestate`, `baggage`, `x-request-id`.
   */
  keepHeaders?: string[];
  /** Add `x-forwarded-for`, `x-forwarded-host`, `x-forwarded-proto` (default true). */
  forwardedHeaders?: boolean;
  /**
   * Whether the socket peer is a proxy whose `X-Forwarded-*` / `Forwarded` headers are
   * believed (kept, and the peer appended to `X-Forwarded-For`). Default: no peer is; a client's
   * own forwarding headers are dropped and the gateway states what it saw.
   */
  trustProxy?: (address: string) => boolean;
  /**
   * Where the specifics of a 5xx (system error code, upstream URL and status, breaker name) are
   * logged, since clients only get a generic detail (default: `c.var.logger`, protocol 2).
   */
  logger?: Logger;
}

/** Headers a client's `Connection` list can never strip: the gateway forwards them on purpose. */
const KEEP = [
  'authorization',
  'cookie',
  'content-type',
  'accept',
  IDEMPOTENCY_KEY_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  'baggage',
  REQUEST_ID_HEADER,
];

/** Request headers never sent on as they came (see the handler). */
const SKIP = new Set(['host', 'content-length', DEADLINE_HEADER]);

/** The socket peer, from @hono/node-server's `c.env.incoming`; other runtimes: none. */
function incomingOf(c: Context): { url?: string; socket?: { remoteAddress?: string } } | undefined {
  return (c.env as { incoming?: { url?: string; socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
}

/**
 * An absolute-form request target (`GET http://other.example/x`) is a forward-proxy request.
 * This gateway only serves the host it was asked for in `Host`: anything else is refused
 * (421) instead of being forwarded with a foreign `X-Forwarded-Host`.
 */
function checkTarget(rawTarget: string | undefined, host: string | undefined): void {
  if (rawTarget === undefined || rawTarget.startsWith('/') || rawTarget === '*') return;
  let named: string;
  let expected: string;
  try {
    const target = new URL(rawTarget);
    named = target.host;
    expected = new URL(`${target.protocol}//${host ?? ''}`).host;
  } catch {
    named = rawTarget;
    expected = '';
  }
  if (named !== expected) {
    throw new ProblemError(421, 'the request target names a host this gateway does not serve');
  }
}

/** Logs the specifics of a 5xx (clients get a generic detail) and records them on the span. */
function report(
  logger: Logger,
  error: unknown,
  upstream: string | undefined,
  method: string,
  target: string,
): void {
  if (!isProblemLike(error) || error.status < 500) return;
  const e = error as ProblemLike & Record<string, unknown>;
  const fields: Record<string, unknown> = { upstream, method, target, status: e.status };
  for (const key of ['code', 'url', 'upstreamStatus', 'breaker', 'bulkhead', 'source']) {
    if (e[key] !== undefined) fields[key] = e[key];
  }
  if (error instanceof Error) fields.error = error.name;
  logger.warn(fields, 'upstream call failed');
  const span = trace.getActiveSpan();
  if (span !== undefined) {
    if (error instanceof Error) span.recordException(error);
    if (typeof e.code === 'string') span.setAttribute('error.type', e.code);
  }
}

/**
 * A Hono route handler that forwards the request to an upstream through a resilient
 * {@link HttpClient} (its breaker, bulkhead, retries, timeouts and interceptors, e.g. trace
 * propagation): method, path (with `stripPrefix`/`prefix`/`rewrite`), query, body (streamed
 * both ways and counted, at most `maxRequestBytes`, else 413; small bodies of known length are
 * read first so idempotent requests can be retried; a streamed one is never retried, and a 3xx
 * answer to it is a 502, see the client's `body` option; on @hono/node-server a streamed body is
 * read straight from the unread Node request, `c.env.incoming`, without the copy of each chunk
 * that `c.req.raw.body` makes) and headers minus hop-by-hop ones (a client's `Connection`
 * list cannot strip the ones in `keepHeaders`), `Host`, `Content-Length` and a client's
 * `x-deadline-ms`. It states its own `x-forwarded-for/-host/-proto` (a client's forwarding
 * headers are believed only from a `trustProxy` peer) and `x-request-id` (from
 * `c.var.requestId`); the client adds `x-deadline-ms` for upstreams it trusts with it, and
 * `c.var.signal` cancels the upstream call. An absolute-form request naming another host than
 * `Host` is refused (421). The upstream's response, whatever its status, is returned without
 * hop-by-hop headers (and without `Content-Encoding`/`Content-Length`: the client has already
 * decoded the body, as fetch does). Failures throw errors that core renders as problem+json with a generic detail (the
 * specifics go to the logger and the active span): open breaker 503 + `Retry-After`, full
 * bulkhead 503, timeout or deadline 504, connection failure 502, response over the client's
 * `maxResponseBytes` 502. POSTs are retried only when they carry an `Idempotency-Key`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { httpClient, proxy } from '@milkyway/resilience/http';
 *
 * const catalog = httpClient({ baseUrl: 'http://127.0.0.1:3001', name: 'catalog' });
 * const gateway = new Hono();
 * gateway.all('/api/catalog/*', proxy(catalog, { stripPrefix: '/api/catalog' }));
 * ```
 */
export function proxy(client: HttpClient, options: ProxyOptions = {}): Handler {
  const maxRequestBytes = options.maxRequestBytes ?? 1024 * 1024;
  const bufferRequestBytes = Math.min(options.bufferRequestBytes ?? 64 * 1024, maxRequestBytes);
  const drop = (options.dropHeaders ?? []).map((h) => h.toLowerCase());
  const keep = [...KEEP, ...(options.keepHeaders ?? [])];
  const forwarded = options.forwardedHeaders ?? true;
  const trustProxy = options.trustProxy;
  return async function proxy(c) {
    const incomingMessage = incomingOf(c);
    checkTarget(incomingMessage?.url, c.req.header('host'));
    const incoming = new URL(c.req.url);
    let path = incoming.pathname;
    const strip = options.stripPrefix?.replace(/\/+$/, '');
    // Only at a segment boundary: '/api/catalog' strips '/api/catalog/x', not '/api/catalogue'.
    if (strip !== undefined && (path === strip || path.startsWith(`${strip}/`))) {
      path = path.slice(strip.length) || '/';
    }
    if (options.prefix !== undefined) path = options.prefix.replace(/\/+$/, '') + path;
    if (options.rewrite !== undefined) path = options.rewrite(path);
    const target = path + incoming.search;

    const raw = c.req.raw;
    // The headers sent on, built in one pass (no Headers copy trimmed afterwards): hop-by-hop
    // ones, Host, Content-Length, a caller's x-deadline-ms (the client sets its own, for
    // upstreams it trusts with it), the dropped ones and the forwarding ones are left out.
    const requestId = c.get('requestId') as unknown;
    const ownId = typeof requestId === 'string' && requestId !== '';
    const hop = hopByHopTest(raw.headers.get('connection'), keep);
    const headers: [string, string][] = [];
    raw.headers.forEach((value, name) => {
      if (
        hop(name) ||
        SKIP.has(name) ||
        isForwarding(name) ||
        (drop.length > 0 && drop.includes(name)) ||
        (ownId && name === REQUEST_ID_HEADER)
      ) {
        return;
      }
      headers.push([name, value]);
    });
    const peer = incomingMessage?.socket?.remoteAddress;
    appendForwarding(headers, raw.headers, {
      peer,
      url: incoming,
      trusted: peer !== undefined && trustProxy?.(peer) === true,
      add: forwarded,
    });
    if (ownId) headers.push([REQUEST_ID_HEADER, requestId as string]);

    const method = raw.method.toUpperCase();
    const tooLarge = () => new RequestTooLargeError({ limitBytes: maxRequestBytes });
    let body:
      | Uint8Array<ArrayBuffer>
      | ReadableStream<Uint8Array>
      | AsyncIterable<Uint8Array>
      | null = null;
    let counted: CountedBody | CountedNodeBody | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const declared = raw.headers.get('content-length');
      const length = declared === null ? undefined : Number(declared);
      // A body to stream (declared over bufferRequestBytes and within the limit, or chunked):
      // on @hono/node-server, read straight from the Node request when nothing has read it yet
      // (its Fetch body would copy every chunk), counted on the way like the Fetch body.
      const streams =
        length === undefined
          ? raw.headers.has('transfer-encoding')
          : length > bufferRequestBytes && length <= maxRequestBytes;
      const node = streams ? await unreadNodeBody(c) : undefined;
      if (node !== undefined) {
        const direct = countNodeBody(node, maxRequestBytes, tooLarge);
        counted = direct;
        body = direct.body;
      } else if (raw.body !== null) {
        if (declared !== null && Number(declared) <= bufferRequestBytes) {
          // Small and of known length: buffered, so an idempotent request can still be retried.
          try {
            body = await readCapped(raw.body, declared, maxRequestBytes, tooLarge);
          } catch (error) {
            if (RequestTooLargeError.is(error)) throw error;
            // The client's body broke off (disconnect, malformed framing): a 400, never a 500.
            throw new ProblemError(400, 'request body could not be read', { cause: error });
          }
        } else if (declared !== null && Number(declared) > maxRequestBytes) {
          await raw.body.cancel().catch(() => {});
          throw tooLarge();
        } else {
          // Large or chunked: streamed to the upstream as it arrives, counted on the way.
          const web = countBytes(raw.body, maxRequestBytes, tooLarge);
          counted = web;
          body = web.stream;
        }
      }
    }

    const signal = c.get('signal') as unknown;
    const deadline = c.get('deadline') as unknown;
    let response: Response;
    try {
      response = await client.request(target, {
        method,
        headers,
        body: body as BodyInit | null,
        ...(signal instanceof AbortSignal ? { signal } : {}),
        ...(typeof deadline === 'number' ? { deadline } : {}),
        stream: true,
      });
    } catch (error) {
      // A streamed body that passed the limit or broke off fails the upstream call: say why.
      if (counted?.tooLarge) throw tooLarge();
      if (counted?.broken !== undefined) {
        throw new ProblemError(400, 'request body could not be read', { cause: counted.broken });
      }
      const logger = options.logger ?? (c.get('logger') as Logger | undefined) ?? silentLogger;
      report(logger, error, client.name, method, target);
      throw error;
    }

    // A small body the client already read is answered as bytes: one write of a known length,
    // where a stream would be piped chunk by chunk.
    const bytes = bodyBytes.get(response);
    const status = response.status as ContentfulStatusCode;
    // c.newResponse, not new Response: it keeps the headers that middleware set before the
    // handler with c.header() (RateLimit, x-request-id, security headers), which a raw
    // Response would silently drop.
    const upstream = rawHeaders.get(response);
    if (upstream !== undefined) {
      // The header block as undici gave it, copied without a Headers object in between.
      const connection = upstream.connection;
      const hopOut = hopByHopTest(Array.isArray(connection) ? connection.join(',') : connection);
      const out: Record<string, string | string[]> = {};
      for (const name in upstream) {
        const value = upstream[name];
        if (value === undefined || hopOut(name) || name === 'content-encoding') continue;
        if (name === 'content-length') continue;
        out[name] = value;
      }
      return c.newResponse(bytes ?? response.body, status, out);
    }
    const out = stripHopByHop(new Headers(response.headers));
    out.delete('content-encoding');
    out.delete('content-length');
    return c.newResponse(bytes ?? response.body, { status, headers: out });
  };
}
