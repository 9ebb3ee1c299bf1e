import { type Clock, systemClock } from '@milkyway/protocol';
import type { Context, MiddlewareHandler } from 'hono';
import type { Cache } from './cache.js';

/**
 * A response as {@link responseCache} stores it.
 *
 * @example
 * ```ts
 * import type { CachedResponse } from '@milkyway/core';
 *
 * const stored: CachedResponse = {
 *   status: 200,
 *   headers: { 'content-type': 'application/json' },
 *   body: '{}',
 *   etag: '"x"',
 *   storedAt: 0,
 *   maxAge: 60,
 * };
 * ```
 */
export interface CachedResponse {
  /** HTTP status. */
  status: number;
  /** Response headers, lower-case names (`Set-Cookie` is never stored). */
  headers: Record<string, string>;
  /** The body: text, or base64 when `binary`. */
  body: string;
  /** Whether `body` is base64. */
  binary?: boolean;
  /** The entity tag sent as `ETag`. */
  etag: string;
  /** When it was stored (epoch ms), for the `Age` header. */
  storedAt: number;
  /** Freshness lifetime in seconds, for `Cache-Control: max-age`. */
  maxAge: number;
}

/**
 * Options of {@link responseCache}.
 *
 * @example
 * ```ts
 * import { createCache, type ResponseCacheOptions } from '@milkyway/core';
 *
 * const cache = createCache({ ttlMs: 30_000 });
 * const options: ResponseCacheOptions = { cache, ttlMs: 30_000, vary: ['accept-language'] };
 * ```
 */
export interface ResponseCacheOptions {
  /** The cache holding responses (memory or Redis store). */
  cache: Cache;
  /**
   * Freshness of a stored response. Default: the response's own `s-maxage`/`max-age`, else
   * the cache's `ttlMs`.
   */
  ttlMs?: number;
  /** Request headers whose values select a different stored response (sent back as `Vary`). */
  vary?: readonly string[];
  /**
   * Cache responses to authenticated requests (an `Authorization` header or a
   * `c.var.principal`), one entry per principal: the key includes `principal.subject` and the
   * response is marked `private`. Without it such requests are never cached. Default false.
   */
  perPrincipal?: boolean;
  /** Statuses that are stored (default `[200]`; errors are never cached unless listed). */
  statuses?: readonly number[];
  /**
   * The `Cache-Control` sent when the handler set none: a string, or `false` to send none.
   * Default `public, max-age=<ttl>` (`private, ...` with `perPrincipal`).
   */
  cacheControl?: string | false;
  /** Tags of the stored response, for `cache.invalidateTag` (e.g. `product:42`). */
  tags?: (c: Context) => readonly string[];
  /** Extra key material (e.g. a tenant id), appended to the default key. */
  key?: (c: Context) => string;
  /** Bodies larger than this many bytes are not stored (default 1 MiB). */
  maxBodyBytes?: number;
  /** Time source for `Age` (default `Date.now`). */
  clock?: Clock;
}

const TEXTUAL =
  /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|javascript|x-www-form-urlencoded))/i;
const UNSTORED_HEADERS = new Set([
  'set-cookie',
  'age',
  'date',
  'connection',
  'transfer-encoding',
  'keep-alive',
]);

const NO_DIRECTIVES: ReadonlyMap<string, string> = new Map();

function directives(header: string | null | undefined): ReadonlyMap<string, string> {
  if (!header) return NO_DIRECTIVES;
  const map = new Map<string, string>();
  for (const part of header.split(',')) {
    const [name, value] = part.split('=');
    const key = name?.trim().toLowerCase();
    if (key) map.set(key, value?.trim().replace(/^"|"$/g, '') ?? '');
  }
  return map;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** True when `If-None-Match` lists `etag` (weak comparison, RFC 9110 §13.1.2). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === bare;
  });
}

/** The query string with its parameters sorted ('' when there is none). */
function sortedQuery(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return '';
  const end = url.indexOf('#', start);
  const params = new URLSearchParams(url.slice(start + 1, end < 0 ? undefined : end));
  params.sort();
  return params.toString();
}

type NodeEnv = { incoming?: { headers?: Record<string, string | string[] | undefined> } };

/**
 * Whether `raw` is the request @hono/node-server built from `env.incoming` (its lightweight
 * request: an object whose prototype is a plain object, not a `Request` class's own prototype).
 * A `Request` constructed later — e.g. to dispatch again with other headers under the same
 * `env` — fails this test, so its own headers are read, never the Node request's.
 */
function isNodeServerRequest(raw: Request): boolean {
  const proto = Object.getPrototypeOf(raw) as object | null;
  return proto !== null && !Object.hasOwn(proto, 'constructor');
}

/**
 * A request header, read from Node's already-parsed headers when @hono/node-server serves the
 * request: `c.req.header()` would build a Fetch `Headers` of every request header (~2–3 µs) on
 * a hit that needs three of them. Only for fields Node joins with ", " as Fetch does
 * (`cache-control`, `if-none-match`) or whose presence alone counts (`authorization`); `vary`
 * fields keep `c.req.header()`, which is exactly what the stored key was built from.
 */
function requestHeader(c: Context, name: string): string | undefined {
  const headers = (c.env as NodeEnv | undefined)?.incoming?.headers;
  if (headers === undefined || !isNodeServerRequest(c.req.raw)) return c.req.header(name);
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether a cache value has the shape this middleware stores (anything else is a miss). */
function isCachedResponse(value: unknown): value is CachedResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<CachedResponse>;
  return (
    typeof v.status === 'number' &&
    typeof v.body === 'string' &&
    typeof v.etag === 'string' &&
    typeof v.storedAt === 'number' &&
    typeof v.headers === 'object' &&
    v.headers !== null &&
    !Array.isArray(v.headers)
  );
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

async function entityTag(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', body));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `"${btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}"`;
}

/** What a hit needs beyond the stored entry, computed once per (shared, frozen) entry. */
interface Prepared {
  /** The body bytes as stored (base64 decoded for binary bodies). */
  body: Uint8Array<ArrayBuffer>;
  /** The stored fields a 304 repeats (RFC 9110 §15.4.5), without `Age`. */
  notModified: Record<string, string>;
}

/** Fields a 304 carries when the 200 would have (RFC 9110 §15.4.5; `Date` comes from the server). */
const NOT_MODIFIED_FIELDS = ['cache-control', 'content-location', 'expires', 'vary'] as const;

const preparedEntries = new WeakMap<CachedResponse, Prepared>();
const utf8 = new TextEncoder();

/**
 * The bytes and 304 fields of a stored entry. Memoized on the entry object, which the cache
 * shares (frozen) between hits while the stored bytes are unchanged.
 */
function prepared(hit: CachedResponse): Prepared {
  let ready = preparedEntries.get(hit);
  if (ready) return ready;
  const notModified: Record<string, string> = { etag: hit.etag };
  for (const name of NOT_MODIFIED_FIELDS) {
    const value = hit.headers[name];
    if (value) notModified[name] = value;
  }
  ready = {
    body: hit.binary
      ? Uint8Array.from(atob(hit.body), (ch) => ch.charCodeAt(0))
      : utf8.encode(hit.body),
    notModified,
  };
  preparedEntries.set(hit, ready);
  return ready;
}

/** The 304 for a miss whose fresh response matches `If-None-Match`. */
function notModified(etag: string, stored: Headers) {
  const headers = new Headers({ ETag: etag });
  for (const name of NOT_MODIFIED_FIELDS) {
    const value = stored.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(null, { status: 304, headers });
}

/**
 * HTTP response caching for GET/HEAD routes. The key is method (HEAD shares GET's), path,
 * sorted query and the `vary` request headers. Adds a strong `ETag` and answers a matching
 * `If-None-Match` with 304; honours `Cache-Control` (request `no-store`/`no-cache`; response
 * `no-store`, `no-cache`, `private`, `max-age`, `s-maxage`) and emits one. Never stores
 * responses with `Set-Cookie`, errors (unless listed in `statuses`), streams
 * (`text/event-stream`), or responses to authenticated requests unless `perPrincipal` is set.
 *
 * @example
 * ```ts
 * import { createCache, responseCache } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * const cache = createCache({ namespace: 'http', ttlMs: 30_000 });
 * const app = new Hono();
 * app.get(
 *   '/products/:id',
 *   responseCache({ cache, vary: ['accept-language'], tags: (c) => [`product:${c.req.param('id')}`] }),
 *   (c) => c.json({ id: c.req.param('id') }),
 * );
 * // after an update:
 * await cache.invalidateTag('product:42');
 * ```
 */
export function responseCache(options: ResponseCacheOptions): MiddlewareHandler {
  const { cache } = options;
  const vary = (options.vary ?? []).map((h) => h.toLowerCase());
  const varyHeader = vary.length > 0 ? vary.join(', ') : null;
  const statuses = new Set(options.statuses ?? [200]);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const clock = options.clock ?? systemClock;
  const perPrincipal = options.perPrincipal ?? false;

  /**
   * Answers from a stored entry (304 when `If-None-Match` matches). Built with `c.body`, so the
   * headers earlier middleware set for this request (e.g. `RateLimit`) are kept. The entry is the
   * cache's shared frozen value; its bytes and header sets are prepared once per entry.
   */
  const respond = (c: Context, hit: CachedResponse): Response => {
    const ready = prepared(hit);
    const age = String(Math.max(0, Math.floor((clock() - hit.storedAt) / 1000)));
    if (matches(requestHeader(c, 'if-none-match'), hit.etag)) {
      return c.body(null, 304, { ...ready.notModified, age });
    }
    const status = hit.status as 200;
    const headers = { ...hit.headers, age };
    if (c.req.method === 'HEAD') return c.body(null, status, headers);
    return c.body(ready.body, status, headers);
  };

  /** Decides whether the handler's response may be stored, and what to store. */
  const capture = async (
    c: Context,
    subject: string | undefined,
    preset: ReadonlySet<string>,
  ): Promise<CachedResponse | undefined> => {
    const res = c.res;
    if (!statuses.has(res.status)) return undefined;
    const responseCc = directives(res.headers.get('cache-control'));
    if (responseCc.has('no-store') || responseCc.has('no-cache')) return undefined;
    if (responseCc.has('private') && subject === undefined) return undefined;
    if (res.headers.has('set-cookie')) return undefined;
    const responseVary = res.headers.get('vary');
    if (responseVary) {
      const extra = responseVary.split(',').map((h) => h.trim().toLowerCase());
      if (extra.some((h) => h === '*' || !vary.includes(h))) return undefined;
    }
    const contentType = res.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream')) return undefined;
    if (Number(res.headers.get('content-length') ?? 0) > maxBodyBytes) return undefined;
    const ttlSeconds =
      seconds(responseCc.get('s-maxage')) ??
      seconds(responseCc.get('max-age')) ??
      (options.ttlMs !== undefined ? Math.round(options.ttlMs / 1000) : undefined);
    if (ttlSeconds === 0) return undefined;

    const buffer = await res.clone().arrayBuffer();
    if (buffer.byteLength > maxBodyBytes) return undefined;
    const etag = res.headers.get('etag') ?? (await entityTag(buffer));
    const headers = new Headers(res.headers);
    headers.set('ETag', etag);
    if (varyHeader && !headers.has('vary')) headers.set('Vary', varyHeader);
    if (!headers.has('cache-control') && options.cacheControl !== false) {
      const maxAge = ttlSeconds ?? Math.round(cache.ttlMs / 1000);
      headers.set(
        'Cache-Control',
        options.cacheControl ??
          (subject !== undefined ? `private, max-age=${maxAge}` : `public, max-age=${maxAge}`),
      );
    }
    const textual = contentType === '' || TEXTUAL.test(contentType);
    const stored: CachedResponse = {
      status: res.status,
      headers: Object.fromEntries(
        [...headers].filter(([name]) => !UNSTORED_HEADERS.has(name) && !preset.has(name)),
      ),
      body: textual ? new TextDecoder().decode(buffer) : toBase64(new Uint8Array(buffer)),
      etag,
      storedAt: clock(),
      maxAge: ttlSeconds ?? Math.round(cache.ttlMs / 1000),
    };
    if (!textual) stored.binary = true;
    await cache.set(key(c, subject), stored, {
      ...(ttlSeconds !== undefined ? { ttlMs: ttlSeconds * 1000 } : {}),
      ...(options.tags ? { tags: options.tags(c) } : {}),
    });
    if (matches(requestHeader(c, 'if-none-match'), etag)) {
      c.res = notModified(etag, headers);
      c.res.headers.delete('content-length');
    } else {
      c.res = new Response(res.body, { status: res.status, headers });
    }
    return stored;
  };

  const key = (c: Context, subject: string | undefined): string => {
    let k = `GET ${c.req.path}?${sortedQuery(c.req.url)}`;
    for (const name of vary) k += `\n${name}:${c.req.header(name) ?? ''}`;
    if (subject !== undefined) k += `\nprincipal:${subject}`;
    if (options.key) k += `\nx:${options.key(c)}`;
    return k;
  };

  // Misses of one key in this process wait for the first one's handler instead of running
  // their own (a stampede on a cold or expired entry runs the handler once).
  const inflight = new Map<string, Promise<CachedResponse | undefined>>();

  return async function responseCacheMiddleware(c, next) {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') return next();
    const requestCc = directives(requestHeader(c, 'cache-control'));
    if (requestCc.has('no-store')) return next();

    // `c.get`, not `c.var`: no copy of every variable into a new object per request.
    const principal = c.get('principal' as never) as { subject?: unknown } | undefined;
    const subject = typeof principal?.subject === 'string' ? principal.subject : undefined;
    const authenticated =
      requestHeader(c, 'authorization') !== undefined || principal !== undefined;
    if (authenticated && (!perPrincipal || subject === undefined)) return next();

    const k = key(c, subject);
    if (!requestCc.has('no-cache')) {
      const hit = await cache.getShared<CachedResponse>(k);
      if (isCachedResponse(hit)) return respond(c, hit);
      const running = inflight.get(k);
      if (running) {
        const shared = await running;
        if (shared) return respond(c, shared);
        return next(); // the first response was not cacheable: run this request's own handler
      }
    }
    // Headers set before the handler ran (rate-limit fields, request ids) belong to this
    // request, not to the stored response.
    const preset = new Set(c.res.headers.keys());

    let settle!: (stored: CachedResponse | undefined) => void;
    const mine = new Promise<CachedResponse | undefined>((resolve) => {
      settle = resolve;
    });
    inflight.set(k, mine);
    let stored: CachedResponse | undefined;
    try {
      await next();
      stored = await capture(c, subject, preset);
    } finally {
      if (inflight.get(k) === mine) inflight.delete(k);
      settle(stored);
    }
  };
}
