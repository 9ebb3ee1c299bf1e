/**
 * gateway — the storefront's single entry point:
 * - JWT authentication against the identity service's JWKS, scopes per route;
 * - a rate limit per principal (in Redis with REDIS_URL, so every replica shares it);
 * - forwarding to catalog and orders with the resilience package's `proxy` helper over one
 *   resilient client per upstream: a breaker, a bulkhead, retries and a deadline each. A broken
 *   upstream is a fast 503 problem+json, not a hang.
 *
 *   npm start            # PORT, else GATEWAY_PORT, else 4000
 */
import { jwtAuth, requireScopes } from '@milkyway/auth';
import { memoryRateLimitStore, type RateLimitStore, rateLimit, withOpenApi } from '@milkyway/core';
import { tracingInterceptor } from '@milkyway/observability';
import { redisRateLimitStore } from '@milkyway/redis';
import { httpClient, proxy } from '@milkyway/resilience/http';
import type { MiddlewareHandler } from 'hono';
import { OrderParams, ProductParams } from '../../shared/src/contracts/index.js';
import {
  createStorefrontService,
  env,
  envNumber,
  listen,
  portFrom,
  tokenSettings,
  upstreams,
} from '../../shared/src/service-kit.js';

const port = portFrom('GATEWAY_PORT', 4000);
const { service, logger } = createStorefrontService(
  'gateway',
  'The storefront API: products and orders, authenticated, rate limited, resilient.',
);

/** One resilient client per upstream: its own breaker, bulkhead, retries and deadline. */
function upstream(name: string, baseUrl: string, totalTimeoutMs: number) {
  const host = new URL(baseUrl).host;
  let watching = false;
  const client = httpClient({
    baseUrl,
    name,
    attemptTimeoutMs: totalTimeoutMs / 2,
    totalTimeoutMs,
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

// (`/products/*` also matches `/products` itself.)
for (const path of ['/products/*', '/orders/*']) {
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
for (const path of ['/products/*', '/orders/*']) service.use(path, upstreamFailures);

// Reads of the catalog are public inside the network: not forwarding the token lets the
// catalog cache one response for everybody.
const catalogRead = proxy(catalog, { dropHeaders: ['authorization', 'cookie'] });
const catalogWrite = proxy(catalog, { dropHeaders: ['cookie'] });
const toOrders = proxy(orders, { dropHeaders: ['cookie'] });

// Path parameters are checked here with the upstream's own schemas (the shared contracts), so a
// malformed id is refused before it is forwarded.
const doc = (summary: string, tag: string) => ({ summary, tags: [tag] });

service.get(
  '/products',
  doc('All products', 'catalog'),
  requireScopes('catalog:read'),
  catalogRead,
);
service.get(
  '/products/:id',
  { ...doc('One product (ETag, If-None-Match)', 'catalog'), params: ProductParams },
  requireScopes('catalog:read'),
  catalogRead,
);
service.patch(
  '/products/:id',
  { ...doc('Change a product', 'catalog'), params: ProductParams },
  requireScopes('catalog:write'),
  catalogWrite,
);
service.post(
  '/orders',
  doc('Place an order (header Idempotency-Key)', 'orders'),
  requireScopes('orders:write'),
  toOrders,
);
service.get('/orders', doc('My orders', 'orders'), requireScopes('orders:read'), toOrders);
service.get(
  '/orders/:id',
  { ...doc('One of my orders', 'orders'), params: OrderParams },
  requireScopes('orders:read'),
  toOrders,
);

await listen(service, port);
