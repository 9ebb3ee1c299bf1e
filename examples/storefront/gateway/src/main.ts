/**
 * gateway — the storefront's single entry point:
 * - JWT authentication against the identity service's JWKS, scopes per route;
 * - a rate limit per principal (in Redis with REDIS_URL, so every replica shares it);
 * - forwarding to catalog and orders with the resilience package's `proxy` helper over one
 *   resilient client per upstream: a breaker, a bulkhead, retries and a deadline each. A broken
 *   upstream is a fast 503 problem+json, not a hang;
 * - typed routes declared with the upstreams' own schemas (the shared contracts): params,
 *   headers and bodies are validated here before anything is forwarded, and the gateway's
 *   OpenAPI document describes every request body and response (orders' ETag and 304 pass
 *   through, so clients poll an order's status cheaply with If-None-Match);
 * - `/asyncapi.json`: an AsyncAPI 3.0 document without channels (the gateway has no events).
 *
 *   npm start            # metrics: METRICS_PORT, else GATEWAY_METRICS_PORT, else 9400 (loopback)
 *   npm start            # PORT, else GATEWAY_PORT, else 4000
 */
import { jwtAuth, requireScopes } from '@milkyway/auth';
import { memoryRateLimitStore, type RateLimitStore, rateLimit, withOpenApi } from '@milkyway/core';
import { asyncApiDocument, asyncApiHandler } from '@milkyway/events';
import { tracingInterceptor } from '@milkyway/observability';
import { redisRateLimitStore } from '@milkyway/redis';
import { type HttpClient, httpClient, type ProxyOptions, proxy } from '@milkyway/resilience/http';
import type { Context, MiddlewareHandler } from 'hono';
import {
  NewOrder,
  NewOrderHeaders,
  Order,
  OrderHistory,
  OrderList,
  OrderParams,
  Product,
  ProductList,
  ProductParams,
  ProductPatch,
  ProjectionRebuild,
} from '../../shared/src/contracts/index.js';
import {
  createStorefrontService,
  env,
  envNumber,
  listen,
  metricsPortFrom,
  portFrom,
  tokenSettings,
  upstreams,
  VERSION,
} from '../../shared/src/service-kit.js';

const port = portFrom('GATEWAY_PORT', 4000);
const kit = createStorefrontService(
  'gateway',
  'The storefront API: products and orders, authenticated, rate limited, resilient.',
);
const { service, logger } = kit;

/** One resilient client per upstream: its own breaker, bulkhead, retries and deadline. */
function upstream(name: string, baseUrl: string, totalTimeoutMs: number) {
  const host = new URL(baseUrl).host;
  let watching = false;
  const client = httpClient({
    baseUrl,
    name,
    attemptTimeoutMs: totalTimeoutMs / 2,
    totalTimeoutMs,
    // Our own upstreams: they get the remaining budget as x-deadline-ms (a third party would not).
    propagateDeadline: true,
    // Only idempotent requests (and POSTs with an Idempotency-Key) are ever retried.
    retry: { maxAttempts: 2 },
    // Judged over the last 5 s: a dead upstream opens it within a handful of calls.
    breaker: { minimumCalls: 5, failureRateThreshold: 50, windowMs: 5_000, resetTimeoutMs: 2_000 },
    bulkhead: { maxConcurrent: 64, maxQueue: 64 },
    interceptors: [
      tracingInterceptor(),
      (request, next) => {
        // The client creates a host's breaker on its first request: log its transitions.
        if (!watching) {
          watching = true;
          client
            .breakerFor(host)
            ?.on('stateChange', ({ from, to }) =>
              logger.warn({ upstream: name, from, to }, `breaker for ${name}: ${from} -> ${to}`),
            );
        }
        return next(request);
      },
    ],
  });
  return client;
}

const catalog = upstream('catalog', upstreams.catalog(), 3_000);
const orders = upstream('orders', upstreams.orders(), 8_000);

// Who is calling: every API route needs a valid token from the identity service.
const auth = jwtAuth(tokenSettings());

// How often: a budget per principal, shared by every gateway replica when REDIS_URL is set.
const redisUrl = process.env.REDIS_URL;
let store: RateLimitStore = memoryRateLimitStore();
if (redisUrl) {
  const redis = redisRateLimitStore({
    url: redisUrl,
    prefix: `${env('REDIS_KEY_PREFIX', 'storefront:')}gateway:`,
  });
  service.onClose(() => redis.close());
  store = redis;
}
const limit = withOpenApi(
  rateLimit({
    name: 'storefront',
    key: 'principal',
    limit: envNumber('RATE_LIMIT', 100),
    windowMs: envNumber('RATE_LIMIT_WINDOW_MS', 60_000),
    store,
    logger,
  }),
  { responses: { 429: { description: 'Rate limited: see RateLimit and Retry-After' } } },
);

// Every forwarded path: `/products/*` also matches `/products` itself, `/orders/*` `/orders`.
const API_PATHS = ['/products/*', '/orders/*', '/order-history', '/admin/*'];
for (const path of API_PATHS) {
  service.use(path, auth, limit);
}

// What a broken upstream looks like to clients, documented on every forwarded route.
const upstreamFailures: MiddlewareHandler = withOpenApi((_c, next) => next(), {
  responses: {
    502: { description: 'The upstream failed or could not be reached' },
    503: {
      description: 'The upstream is unavailable (open breaker, full bulkhead): see Retry-After',
    },
    504: { description: 'The upstream did not answer within the deadline' },
  },
});
for (const path of API_PATHS) service.use(path, upstreamFailures);

/**
 * The resilience package's `proxy` as the handler of a typed route. Core's validator has
 * already read the JSON body (to check it against the upstream's schema), so the request's own
 * stream is spent: the proxy forwards the very bytes that were validated (Hono's body cache).
 * The upstream's answer is returned as it is; its shape is the upstream's contract, which the
 * route declares with the same schemas.
 */
function forwardTo(client: HttpClient, options: ProxyOptions) {
  const forward = proxy(client, options);
  return async (c: Context): Promise<never> => {
    if (c.req.bodyCache.arrayBuffer !== undefined) {
      const raw = c.req.raw;
      c.req.raw = new Request(raw.url, {
        method: raw.method,
        headers: raw.headers,
        body: await c.req.arrayBuffer(),
        signal: raw.signal,
      });
    }
    return (await forward(c, async () => {})) as never;
  };
}

// Reads of the catalog are public inside the network: not forwarding the token lets the
// catalog cache one response for everybody.
const catalogRead = forwardTo(catalog, { dropHeaders: ['authorization', 'cookie'] });
const catalogWrite = forwardTo(catalog, { dropHeaders: ['cookie'] });
const toOrders = forwardTo(orders, { dropHeaders: ['cookie'] });

// Every route declares its inputs and responses with the upstream's own schemas (the shared
// contracts): invalid input is refused here (400/415 problem+json) and never forwarded, and the
// gateway's OpenAPI document describes the whole public API.
const notModified = { description: 'Not Modified: If-None-Match matched the current ETag' };
const doc = (summary: string, tag: string) => ({ summary, tags: [tag] });

service.get(
  '/products',
  { ...doc('All products', 'catalog'), responses: { 200: ProductList, 304: notModified } },
  requireScopes('catalog:read'),
  catalogRead,
);
service.get(
  '/products/:id',
  {
    ...doc('One product (ETag, If-None-Match)', 'catalog'),
    params: ProductParams,
    responses: { 200: Product, 304: notModified, 404: { description: 'No such product' } },
  },
  requireScopes('catalog:read'),
  catalogRead,
);
service.patch(
  '/products/:id',
  {
    ...doc('Change a product (price, stock, name)', 'catalog'),
    params: ProductParams,
    body: ProductPatch,
    responses: { 200: Product, 404: { description: 'No such product' } },
  },
  requireScopes('catalog:write'),
  catalogWrite,
);
service.post(
  '/orders',
  {
    ...doc('Place an order (send an Idempotency-Key; retries return the first order)', 'orders'),
    headers: NewOrderHeaders,
    body: NewOrder,
    responses: {
      201: Order,
      422: { description: 'Unknown product, or the Idempotency-Key was used for another order' },
    },
  },
  requireScopes('orders:write'),
  toOrders,
);
service.get(
  '/orders',
  { ...doc('My orders, newest first', 'orders'), responses: { 200: OrderList } },
  requireScopes('orders:read'),
  toOrders,
);
service.get(
  '/orders/:id',
  {
    ...doc(
      'One of my orders, with its status (ETag: poll with If-None-Match, 304 while unchanged)',
      'orders',
    ),
    params: OrderParams,
    responses: {
      200: Order,
      304: notModified,
      404: { description: 'No such order (or not yours)' },
    },
  },
  requireScopes('orders:read'),
  toOrders,
);
service.get(
  '/order-history',
  {
    ...doc(
      'My order history with totals per status (a read model built from the events: it may lag a moment)',
      'order history',
    ),
    responses: { 200: OrderHistory },
  },
  requireScopes('orders:read'),
  toOrders,
);
service.post(
  '/admin/order-history/rebuild',
  {
    ...doc(
      'Rebuild the order-history read model from the event log (admin: scope orders:admin)',
      'order history',
    ),
    responses: { 200: ProjectionRebuild },
  },
  requireScopes('orders:admin'),
  toOrders,
);

// The gateway publishes and consumes no events: its AsyncAPI document says so (no channels),
// so that every service of the storefront serves one beside its OpenAPI document.
service.get(
  '/asyncapi.json',
  { hidden: true },
  asyncApiHandler(
    asyncApiDocument({
      title: 'gateway',
      version: VERSION,
      description:
        'The gateway forwards requests over HTTP; it publishes and consumes no events (see the AsyncAPI documents of orders and catalog).',
    }),
  ),
);

await listen(kit, port, metricsPortFrom('GATEWAY_METRICS_PORT', 9400));
