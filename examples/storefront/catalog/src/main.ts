/**
 * catalog — products, read-heavy and cached:
 * - a response cache in front of the reads (ETag, 304 Not Modified, Cache-Control);
 * - `getOrLoad` behind it, so concurrent misses for one product load it once (coalescing);
 * - tag invalidation: changing a product drops its cached entries and the cached list at once.
 * With REDIS_URL set, both caches live in Redis and every catalog replica shares them.
 * - the stock: products live in the catalog's own database (PostgreSQL with DATABASE_URL, else
 *   PGlite in DATA_DIR). `order.placed` is consumed through the inbox (once per event): every
 *   line is reserved or none, and `stock.reserved` / `stock.rejected` goes to the outbox in
 *   the same transaction; the relay publishes it. `stock` in the API is the available stock.
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
import { attachEventBus, createEventBus, type Inbox } from '@milkyway/events';
import { createOutbox, createRelay, postgresInbox, type SqlClient } from '@milkyway/postgres';
import { redisCacheStore } from '@milkyway/redis';
import {
  orderPlaced,
  Product,
  ProductList,
  ProductParams,
  ProductPatch,
  stockRejected,
  stockReserved,
} from '../../shared/src/contracts/index.js';
import {
  databaseReady,
  housekeeping,
  INBOX_RETENTION_MS,
  openDatabase,
  storeDeadLetters,
} from '../../shared/src/data.js';
import { createServiceTransport, serveEvents } from '../../shared/src/messaging.js';
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
import { catalogSchema, ProductRepository } from './products.js';

const port = portFrom('CATALOG_PORT', 4002);
const kit = createStorefrontService(
  'catalog',
  'Products of the storefront: cached reads with ETags, tag invalidation on change, stock reserved by events.',
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

// The catalog's own database (PostgreSQL schema or PGlite) and its outbox.
const { db, lockScope } = await openDatabase('catalog', logger, catalogSchema);
service.readiness('database', databaseReady(db));
service.onClose(() => db.close()); // registered first: runs last
const outbox = createOutbox({ source: '/catalog' });
const repo = new ProductRepository(db, outbox);

/** Drops every cached copy of these products and of the list. */
const invalidate = (ids: readonly string[]) =>
  Promise.all(
    [data, http].flatMap((cache) => [
      ...ids.map((id) => cache.invalidateTag(`product:${id}`)),
      cache.invalidateTag('products'),
    ]),
  );

// The events: JetStream with NATS_URL, else HTTP push to orders' /events.
const messaging = await createServiceTransport(
  'catalog',
  logger,
  {
    [stockReserved.destination]: upstreams.orders(),
    [stockRejected.destination]: upstreams.orders(),
  },
  storeDeadLetters(db),
);
const bus = createEventBus({ source: '/catalog', transport: messaging.transport, logger });
attachEventBus(service, bus, { drainMs: 10_000 });

// The inbox applies each order.placed once; after its transaction COMMITTED, the cached stock
// of the products it changed is dropped (dropping it before could re-cache the old stock).
const changedBy = new Map<string, readonly string[]>();
const inbox = postgresInbox(db);
service.onClose(housekeeping(logger, () => inbox.prune({ olderThanMs: INBOX_RETENTION_MS })));
const invalidatingInbox: Inbox<SqlClient> = {
  async runOnce(key, effect) {
    let outcome: Awaited<ReturnType<typeof inbox.runOnce>>;
    try {
      outcome = await inbox.runOnce(key, effect);
    } catch (error) {
      changedBy.delete(key.messageId); // rolled back: the retry records it again
      throw error;
    }
    if (outcome === 'applied') {
      const changed = changedBy.get(key.messageId) ?? [];
      changedBy.delete(key.messageId);
      if (changed.length > 0) await invalidate(changed);
    }
    return outcome;
  },
};
await bus.subscribe(
  orderPlaced,
  async (event, { tx }) => {
    const outcome = await repo.reserve(tx, event.data);
    changedBy.set(event.id, outcome.productIds);
    logger.info(
      { order: event.data.orderId, reserved: outcome.reserved, event: event.id },
      outcome.duplicate
        ? 'order already answered: order.placed under another event id skipped'
        : outcome.reserved
          ? 'stock reserved'
          : `stock rejected (${outcome.reason})`,
    );
  },
  {
    group: 'catalog',
    inbox: invalidatingInbox,
    maxInFlight: 32,
    // JetStream redelivers what a killed replica held after this (kept alive while handled).
    ackDeadlineMs: 5_000,
    retry: { maxAttempts: 20, baseDelayMs: 200, maxDelayMs: 5_000 },
  },
);

// The relay publishes the answers to orders.
const relay = createRelay({
  db,
  transport: messaging.relayTransport,
  name: `catalog-${lockScope}`,
  // A few orders at a time: each HTTP push waits for orders' handler to commit.
  concurrency: 16,
  pollIntervalMs: 500,
  backoff: { minMs: 100, maxMs: 2_000 },
  topics: [stockReserved, stockRejected],
  logger,
});
await relay.start();
service.onClose(() => relay.stop()); // registered last: stops first, before the consumer
service.readiness('relay', () => {
  if (!relay.status().running) throw new Error('the outbox relay is not running');
});

serveEvents(service, messaging, {
  title: 'catalog',
  version: VERSION,
  description: `The events the catalog consumes and publishes (transport: ${messaging.describe}).`,
  publishes: [stockReserved, stockRejected],
  consumes: [{ topic: orderPlaced, group: 'catalog' }],
});
logger.info({ transport: messaging.describe }, 'catalog: events wired');

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
    await invalidate([id]);
    logger.info({ product: id, by: c.var.principal.subject }, 'product changed');
    return c.json(product, 200);
  },
);

await listen(kit, port, metricsPortFrom('CATALOG_METRICS_PORT', 9402));
