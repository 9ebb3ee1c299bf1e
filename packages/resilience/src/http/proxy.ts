import type { Context, Handler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { readCapped } from './body.js';
import type { HttpClient } from './client.js';
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
 * const options: ProxyOptions = { stripPrefix: '/api/catalog', maxRequestBytes: 256 * 1024 };
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
  /** Extra request headers never forwarded (case-insensitive), e.g. `['cookie']`. */
  dropHeaders?: string[];
  /** Add `x-forwarded-for`, `x-forwarded-host`, `x-forwarded-proto` (default true). */
  forwardedHeaders?: boolean;
}

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'http2-settings',
];

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1): `Connection` and every header it names,
 * `Keep-Alive`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade` and all `Proxy-*`.
 *
 * @example
 * ```ts
 * import { stripHopByHop } from '@milkyway/resilience/http';
 * const headers = new Headers({ connection: 'close, x-secret', 'x-secret': '1', accept: '*' });
 * stripHopByHop(headers); // only `accept` is left
 * ```
 */
export function stripHopByHop(headers: Headers): Headers {
  const listed = headers.get('connection');
  if (listed !== null) {
    for (const token of listed.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') headers.delete(name);
    }
  }
  for (const name of HOP_BY_HOP) headers.delete(name);
  const proxied: string[] = [];
  headers.forEach((_value, key) => {
    if (key.startsWith('proxy-')) proxied.push(key);
  });
  for (const key of proxied) headers.delete(key);
  return headers;
}

function remoteAddress(c: Context): string | undefined {
  // @hono/node-server exposes the socket as c.env.incoming; other runtimes: nothing to add.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * A Hono route handler that forwards the request to an upstream through a resilient
 * {@link HttpClient} (its breaker, bulkhead, retries, timeouts and interceptors, e.g. trace
 * propagation): method, path (with `stripPrefix`/`prefix`/`rewrite`), query, body (buffered, at
 * most `maxRequestBytes`, else 413) and headers minus hop-by-hop ones, `Host` and
 * `Content-Length`; adds `x-forwarded-*`, `x-request-id` (from `c.var.requestId`) and
 * `x-deadline-ms` (from `c.var.deadline`; `c.var.signal` cancels the upstream call). The
 * upstream's response, whatever its status, is returned without hop-by-hop headers (and without
 * `Content-Encoding`/`Content-Length`: fetch has already decoded the body). Failures throw
 * errors that core renders as problem+json: open breaker 503 + `Retry-After`, full bulkhead
 * 503, timeout or deadline 504, connection failure 502, response over the client's
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
  const drop = (options.dropHeaders ?? []).map((h) => h.toLowerCase());
  const forwarded = options.forwardedHeaders ?? true;
  return async function proxy(c) {
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
    const headers = stripHopByHop(new Headers(raw.headers));
    headers.delete('host');
    headers.delete('content-length');
    for (const name of drop) headers.delete(name);
    if (forwarded) {
      const address = remoteAddress(c);
      if (address !== undefined) {
        const prior = headers.get('x-forwarded-for');
        headers.set('x-forwarded-for', prior ? `${prior}, ${address}` : address);
      }
      // Set, not appended: a client must not be able to choose what upstreams believe here.
      headers.set('x-forwarded-host', incoming.host);
      headers.set('x-forwarded-proto', incoming.protocol.replace(':', ''));
    }
    const requestId = c.get('requestId') as unknown;
    if (typeof requestId === 'string' && requestId !== '') headers.set('x-request-id', requestId);

    const method = raw.method.toUpperCase();
    let body: Uint8Array<ArrayBuffer> | null = null;
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        body = await readCapped(
          raw.body,
          raw.headers.get('content-length'),
          maxRequestBytes,
          () => new RequestTooLargeError({ limitBytes: maxRequestBytes }),
        );
      } catch (error) {
        if (RequestTooLargeError.is(error)) throw error;
        // The client's body broke off (disconnect, malformed framing): a 400, never a 500.
        throw Object.assign(new Error('request body could not be read'), {
          status: 400,
          expose: true,
          cause: error,
        });
      }
    }

    const signal = c.get('signal') as unknown;
    const deadline = c.get('deadline') as unknown;
    const response = await client.request(target, {
      method,
      headers,
      body,
      ...(signal instanceof AbortSignal ? { signal } : {}),
      ...(typeof deadline === 'number' ? { deadline } : {}),
    });

    const out = stripHopByHop(new Headers(response.headers));
    out.delete('content-encoding');
    out.delete('content-length');
    // c.newResponse, not new Response: it keeps the headers that middleware set before the
    // handler with c.header() (RateLimit, x-request-id, security headers), which a raw
    // Response would silently drop.
    return c.newResponse(response.body, {
      status: response.status as ContentfulStatusCode,
      headers: out,
    });
  };
}
