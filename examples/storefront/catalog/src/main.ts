/**
 * catalog — products, read-heavy and cached:
 * - a response cache in front of the reads (ETag, 304 Not Modified, Cache-Control);
 * - `getOrLoad` behind it, so concurrent misses for one product load it once (coalescing);
 * - tag invalidation: changing a product drops its cached entries and the cached list at once.
 * With REDIS_URL set, both caches live in Redis and every catalog replica shares them.
 *
 *   npm start            # metrics: METRICS_PORT, else CATALOG_METRICS_PORT, else 9402 (loopback)
 *   npm start            # PORT, else CATALOG_PORT, else 4002
 */
import { jwtAuth, requireScopes } from '@milkyway/auth';
import {
  type CacheStore,
  createCache,
  HttpError,
  memoryStore,
  responseCache,
} from '@milkyway/core';
import { redisCacheStore } from '@milkyway/redis';
import {
  Product,
  ProductList,
  ProductParams,
  ProductPatch,
} from '../../shared/src/contracts/index.js';
import {
  createStorefrontService,
  env,
  envNumber,
  listen,
  metricsPortFrom,
  portFrom,
  tokenSettings,
} from '../../shared/src/service-kit.js';
import { ProductRepository } from './products.js';

const port = portFrom('CATALOG_PORT', 4002);
const kit = createStorefrontService(
  'catalog',
  'Products of the storefront: cached reads with ETags, tag invalidation on change.',
);
const { service, logger } = kit;

// Where cached entries live: this process, or Redis shared by every replica.
const redisUrl = process.env.REDIS_URL;
const redis = redisUrl
  ? redisCacheStore({ url: redisUrl, prefix: `${env('REDIS_KEY_PREFIX', 'storefront:')}catalog:` })
  : undefined;
if (redis) service.onClose(() => redis.close());
const store: CacheStore = redis ?? memoryStore({ maxEntries: 10_000 });

/** Loaded products (the repository is the "database"). */
const data = createCache({
  store,
  namespace: 'data',
  ttlMs: 60_000,
  staleWhileRevalidateMs: 30_000,
  logger,
});
/** Whole HTTP responses, with their ETags. */
const http = createCache({ store, namespace: 'http', ttlMs: 30_000, logger });

const repo = new ProductRepository();

/** The answer to a conditional GET whose If-None-Match names the current ETag (no body). */
const notModified = { description: 'Not Modified: If-None-Match matched the current ETag' };

// Demo knob: make every catalog request slow (shows deadlines, breakers and draining).
const latencyMs = envNumber('CATALOG_LATENCY_MS', 0);
if (latencyMs > 0) {
  service.use('/products/*', async (_c, next) => {
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    await next();
  });
}

service.get(
  '/products',
  {
    responses: { 200: ProductList, 304: notModified },
    summary: 'All products',
    tags: ['products'],
  },
  responseCache({ cache: http, tags: () => ['products'] }),
  async (c) => {
    const products = await data.getOrLoad('products', () => repo.list(), { tags: ['products'] });
    return c.json({ products }, 200);
  },
);

service.get(
  '/products/:id',
  {
    params: ProductParams,
    responses: { 200: Product, 304: notModified, 404: { description: 'No such product' } },
    summary: 'One product',
    tags: ['products'],
  },
  responseCache({ cache: http, tags: (c) => [`product:${c.req.param('id')}`] }),
  async (c) => {
    const { id } = c.req.valid('param');
    const product = await data.getOrLoad(
      `product:${id}`,
      async () => {
        const found = await repo.find(id);
        // Not cached: a missing product is a 404 every time until it exists.
        if (!found) throw new HttpError(404, `no product ${id}`);
        return found;
      },
      { tags: [`product:${id}`] },
    );
    return c.json(product, 200);
  },
);

service.patch(
  '/products/:id',
  {
    params: ProductParams,
    body: ProductPatch,
    responses: { 200: Product, 404: { description: 'No such product' } },
    summary: 'Change a product (price, stock, name)',
    tags: ['products'],
  },
  jwtAuth(tokenSettings()),
  requireScopes('catalog:write'),
  async (c) => {
    const { id } = c.req.valid('param');
    const product = await repo.update(id, c.req.valid('json'));
    if (!product) throw new HttpError(404, `no product ${id}`);
    // Drop every cached copy: the product, the list, and the HTTP responses holding them.
    await Promise.all(
      [data, http].flatMap((cache) => [
        cache.invalidateTag(`product:${id}`),
        cache.invalidateTag('products'),
      ]),
    );
    logger.info({ product: id, by: c.var.principal.subject }, 'product changed');
    return c.json(product, 200);
  },
);

await listen(kit, port, metricsPortFrom('CATALOG_METRICS_PORT', 9402));
