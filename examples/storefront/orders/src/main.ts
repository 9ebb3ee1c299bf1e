/**
 * orders — places orders and follows them to their final status:
 * - `POST /orders` needs an `Idempotency-Key`: a repeated key returns the first order (also
 *   while the first request still runs) and never creates a second one. Prices come from the
 *   catalog through the resilient HTTP client (deadline, retries, breaker, bulkhead).
 * - The order (status `pending`), its idempotency record and the `order.placed` event are
 *   written in ONE transaction of orders' own database (the outbox); the relay publishes the
 *   event. The catalog answers `stock.reserved` / `stock.rejected`, consumed through the inbox
 *   (once per event), which moves the order to `confirmed` / `rejected` and publishes
 *   `order.confirmed` / `order.rejected` the same way.
 * - `GET /order-history` serves the order-history read model (a projection of the events);
 *   `POST /admin/order-history/rebuild` (scope `orders:admin`) rebuilds it from the event log.
 *
 *   npm start            # PORT, else ORDERS_PORT, else 4003
 *   npm start            # metrics: METRICS_PORT, else ORDERS_METRICS_PORT, else 9403 (loopback)
 *   DATABASE_URL=postgres://... npm start     # PostgreSQL (schema DATABASE_SCHEMA), else PGlite in DATA_DIR
 *   NATS_URL=nats://127.0.0.1:4222 npm start  # JetStream, else HTTP push to CATALOG_URL/events
 */
import { createHash } from 'node:crypto';
import { jwtAuth, requireScopes } from '@milkyway/auth';
import { createCache, HttpError, memoryStore } from '@milkyway/core';
import { attachEventBus, createEventBus } from '@milkyway/events';
import { tracingInterceptor } from '@milkyway/observability';
import { createOutbox, createRelay, postgresInbox } from '@milkyway/postgres';
import { httpClient, UpstreamResponseError } from '@milkyway/resilience/http';
import {
  NewOrder,
  NewOrderHeaders,
  Order,
  OrderHistory,
  OrderList,
  OrderParams,
  orderConfirmed,
  orderPlaced,
  orderRejected,
  Product,
  ProjectionRebuild,
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
  envNumber,
  listen,
  metricsPortFrom,
  portFrom,
  tokenSettings,
  upstreams,
  VERSION,
} from '../../shared/src/service-kit.js';
import {
  createProjector,
  followLog,
  orderHistoryProjection,
  readOrderHistory,
} from './order-history.js';
import { KeyReusedError, OrderStore, ordersSchema, publicOrder } from './orders.js';

const port = portFrom('ORDERS_PORT', 4003);
const kit = createStorefrontService(
  'orders',
  'Orders of the storefront: idempotent placement, prices from the catalog, status from the events.',
);
const { service, logger } = kit;

/** The catalog, through the resilient client: each call has a deadline, retries, a breaker. */
const catalog = httpClient({
  baseUrl: upstreams.catalog(),
  name: 'catalog',
  attemptTimeoutMs: 2_000,
  totalTimeoutMs: 5_000,
  // The catalog is ours: it gets the remaining budget as x-deadline-ms.
  propagateDeadline: true,
  retry: { maxAttempts: 3 },
  breaker: { minimumCalls: 5, failureRateThreshold: 50, windowMs: 5_000, resetTimeoutMs: 2_000 },
  bulkhead: { maxConcurrent: 32, maxQueue: 64 },
  interceptors: [tracingInterceptor()],
});

// Orders' own database (PostgreSQL schema or PGlite) and its outbox.
const { db, lockScope } = await openDatabase('orders', logger, ordersSchema);
service.readiness('database', databaseReady(db));
service.onClose(() => db.close()); // registered first: runs last

const outbox = createOutbox({ source: '/orders' });
const orders = new OrderStore(db, outbox);

// The events: JetStream with NATS_URL, else HTTP push to the catalog's /events.
const messaging = await createServiceTransport(
  'orders',
  logger,
  {
    [orderPlaced.destination]: upstreams.catalog(),
  },
  storeDeadLetters(db),
);
const bus = createEventBus({ source: '/orders', transport: messaging.transport, logger });
attachEventBus(service, bus, { drainMs: 10_000 }); // consumers stop before the database closes

// The read model: the order-history projection, fed from the event log the relay archives into.
const projector = createProjector(db, orderHistoryProjection, { logger });
await projector.start();
const history = followLog(projector, envNumber('ORDER_HISTORY_POLL_MS', 200), (error) =>
  logger.warn({ err: error }, 'order history: catching up failed; retrying'),
);
service.onClose(() => history.stop());

/** Why the catalog refused an order, in a sentence. */
const rejectionReason = (r: {
  reason: string;
  productId: string;
  requested: number;
  available: number;
}) => `${r.reason}: ${r.productId} (requested ${r.requested}, available ${r.available})`;

// The catalog's answers, once per event (the inbox row commits with the status change).
const inbox = postgresInbox(db);
service.onClose(
  housekeeping(logger, async () => {
    await inbox.prune({ olderThanMs: INBOX_RETENTION_MS });
    await orders.forgetExpiredIdempotencyKeys();
  }),
);
await bus.subscribe(
  [stockReserved, stockRejected],
  async (event, { tx }) => {
    const changed =
      event.type === stockReserved.type
        ? await orders.settle(tx, event.data.orderId, { status: 'confirmed' })
        : await orders.settle(tx, event.data.orderId, {
            status: 'rejected',
            reason: rejectionReason(event.data),
          });
    logger.info(
      { order: event.data.orderId, event: event.type, changed },
      changed ? 'order status changed' : 'order already settled (or unknown): nothing to do',
    );
  },
  {
    group: 'orders',
    inbox,
    maxInFlight: 32,
    // JetStream redelivers what a killed replica held after this (kept alive while handled).
    ackDeadlineMs: 5_000,
    retry: { maxAttempts: 20, baseDelayMs: 200, maxDelayMs: 5_000 },
  },
);

// The relay publishes what the transactions committed, and archives it for the read model.
const relay = createRelay({
  db,
  transport: messaging.relayTransport,
  name: `orders-${lockScope}`,
  retention: 'archive',
  // A few orders at a time: each HTTP push waits for the catalog's handler to commit.
  concurrency: 16,
  pollIntervalMs: 500,
  backoff: { minMs: 100, maxMs: 2_000 },
  topics: [orderPlaced, orderConfirmed, orderRejected],
  logger,
});
await relay.start();
service.onClose(() => relay.stop()); // registered last: stops first, before the consumers
service.readiness('relay', () => {
  if (!relay.status().running) throw new Error('the outbox relay is not running');
});

// POST /events (HTTP push) and GET /asyncapi.json, beside /openapi.json.
serveEvents(service, messaging, {
  title: 'orders',
  version: VERSION,
  description: `The events orders publishes and consumes (transport: ${messaging.describe}).`,
  publishes: [orderPlaced, orderConfirmed, orderRejected],
  consumes: [
    { topic: stockReserved, group: 'orders' },
    { topic: stockRejected, group: 'orders' },
  ],
});
logger.info({ transport: messaging.describe }, 'orders: events wired');

// (`/orders/*` also matches `/orders` itself.)
service.use('/orders/*', jwtAuth(tokenSettings()));
service.use('/order-history', jwtAuth(tokenSettings()));
service.use('/admin/*', jwtAuth(tokenSettings()));

/** Requests with the same (customer, key) running in this process: they share one outcome. */
const inFlight = new Map<
  string,
  { fingerprint: string; result: Promise<{ order: Order; replayed: boolean }> }
>();

const fingerprint = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/** Looks up the order of an idempotency record; 422 when the key was used for another request. */
async function replay(customer: string, key: string, fingerprint: string) {
  const record = await orders.idempotencyRecord(customer, key);
  if (!record) return undefined;
  if (record.fingerprint !== fingerprint) throw new KeyReusedError();
  const order = await orders.find(record.order_id);
  return order ? { order: publicOrder(order), replayed: true } : undefined;
}

/**
 * The last known products: every order asks the catalog (a fresh price), concurrent requests for
 * one product share one call, and while the catalog is down (errors, open breaker) an order is
 * priced from the product's last answer of the past 10 minutes. The order is still only
 * `pending`: the catalog decides about its stock when it is back (the event waits in the outbox).
 * A product never seen fails as before (502/503).
 */
const prices = createCache({
  store: memoryStore({ maxEntries: 10_000 }),
  namespace: 'prices',
  ttlMs: 1,
  staleIfErrorMs: envNumber('PRICE_STALE_IF_ERROR_MS', 10 * 60_000),
  logger,
});

/** Fetches each line's product from the catalog (422 for an unknown one) and prices the order. */
async function priceOrder(
  request: NewOrder,
  bound: Omit<NonNullable<Parameters<typeof catalog.json>[1]>, 'schema'>,
) {
  const products = await Promise.all(
    request.items.map(async (item) => {
      try {
        return await prices.getOrLoad(`product:${item.productId}`, () =>
          catalog.json(`/products/${encodeURIComponent(item.productId)}`, {
            ...bound,
            schema: Product,
          }),
        );
      } catch (error) {
        if (UpstreamResponseError.is(error) && error.upstreamStatus === 404) {
          throw new HttpError(422, `no product ${item.productId}`, {
            title: 'Unknown product',
            type: 'https://storefront.example/problems#unknown-product',
          });
        }
        throw error;
      }
    }),
  );
  const items = request.items.map((item, i) => ({
    productId: item.productId,
    name: products[i]!.name,
    quantity: item.quantity,
    unitPriceCents: products[i]!.priceCents,
  }));
  return { items, totalCents: items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0) };
}

/**
 * The first request of an Idempotency-Key: returns the recorded order when the key was used
 * before, else prices the order and saves it with its record and its event.
 */
async function placeOnce(
  customer: string,
  key: string,
  print: string,
  request: NewOrder,
  bound: Omit<NonNullable<Parameters<typeof catalog.json>[1]>, 'schema'>,
): Promise<{ order: Order; replayed: boolean }> {
  const earlier = await replay(customer, key, print);
  if (earlier) return earlier;
  logger.info({ customer, items: request.items.length }, 'placing order');
  const priced = await priceOrder(request, bound);
  try {
    const placed = await orders.place({ customer, ...priced }, { key, fingerprint: print });
    logger.info(
      { order: placed.id, customer, totalCents: placed.totalCents },
      'order placed (pending); order.placed is in the outbox',
    );
    return { order: placed, replayed: false };
  } catch (error) {
    // Another process took the key meanwhile: its order is the answer.
    if ((error as { code?: string }).code === '23505') {
      const other = await replay(customer, key, print);
      if (other) return other;
    }
    throw error;
  }
}

service.post(
  '/orders',
  {
    headers: NewOrderHeaders,
    body: NewOrder,
    responses: {
      201: Order,
      422: { description: 'Unknown product, or the Idempotency-Key was used for another order' },
    },
    summary:
      'Place an order (send an Idempotency-Key; retries return the first order). It starts pending; the stock reservation confirms or rejects it',
    tags: ['orders'],
  },
  requireScopes('orders:write'),
  async (c) => {
    const customer = c.var.principal.subject;
    const key = c.req.valid('header')['idempotency-key'];
    const request = c.req.valid('json');
    const print = fingerprint(request);
    const scope = `${customer}\u0000${key}`;
    const running = inFlight.get(scope);
    let outcome: { order: Order; replayed: boolean };
    if (running) {
      // The first request with this key still runs: share its outcome (same body only).
      if (running.fingerprint !== print) throw new KeyReusedError();
      outcome = { ...(await running.result), replayed: true };
    } else {
      const result = placeOnce(customer, key, print, request, {
        signal: c.var.signal,
        deadline: c.var.deadline,
      });
      inFlight.set(scope, { fingerprint: print, result });
      try {
        outcome = await result;
      } finally {
        inFlight.delete(scope);
      }
    }
    const { order, replayed } = outcome;
    if (replayed) c.header('Idempotent-Replayed', 'true');
    c.header('Location', `/orders/${order.id}`);
    return c.json(order, 201);
  },
);

service.get(
  '/orders',
  {
    responses: { 200: OrderList },
    summary: 'My orders, newest first',
    tags: ['orders'],
  },
  requireScopes('orders:read'),
  async (c) => c.json({ orders: await orders.byCustomer(c.var.principal.subject) }, 200),
);

/** Whether an If-None-Match header names this ETag (or is `*`). */
const matches = (header: string | undefined, etag: string) =>
  (header ?? '').split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });

service.get(
  '/orders/:id',
  {
    params: OrderParams,
    responses: {
      200: Order,
      304: { description: 'Not Modified: If-None-Match matched the current ETag (poll cheaply)' },
      404: { description: 'No such order (or not yours)' },
    },
    summary: 'One of my orders, with its status (ETag; If-None-Match answers 304 while unchanged)',
    tags: ['orders'],
  },
  requireScopes('orders:read'),
  async (c) => {
    const found = await orders.find(c.req.valid('param').id);
    if (!found || found.customer !== c.var.principal.subject) {
      throw new HttpError(404, 'no such order');
    }
    // The row version changes with every status change: a strong validator of the order.
    const etag = `"${found.id}.v${found.version}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, no-cache');
    if (matches(c.req.header('if-none-match'), etag)) {
      return c.body(null, 304);
    }
    return c.json(publicOrder(found), 200);
  },
);

service.get(
  '/order-history',
  {
    responses: { 200: OrderHistory },
    summary:
      'My order history with totals per status (a read model built from the events: it may lag a moment behind the orders)',
    tags: ['order history'],
  },
  requireScopes('orders:read'),
  async (c) => c.json(await readOrderHistory(db, c.var.principal.subject), 200),
);

service.post(
  '/admin/order-history/rebuild',
  {
    responses: { 200: ProjectionRebuild },
    summary:
      'Rebuild the order-history read model from the start of the event log (admin: scope orders:admin)',
    tags: ['order history'],
  },
  requireScopes('orders:admin'),
  async (c) => {
    const before = await projector.lag();
    const generation = await projector.rebuild();
    const lag = await projector.lag();
    logger.info(
      { by: c.var.principal.subject, from: before.generation, to: generation },
      'order history rebuilt',
    );
    return c.json(
      {
        projection: orderHistoryProjection.name,
        ...lag,
        generation,
        previousGeneration: before.generation,
      },
      200,
    );
  },
);

await listen(kit, port, metricsPortFrom('ORDERS_METRICS_PORT', 9403));
