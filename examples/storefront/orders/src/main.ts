/**
 * orders — places orders. `POST /orders` needs an `Idempotency-Key`: a repeated key returns
 * the first order (also while the first request still runs) and never creates a second one.
 * Prices come from the catalog through the resilient HTTP client (deadline, retries,
 * breaker, bulkhead); every input is validated with zod.
 *
 *   npm start            # metrics: METRICS_PORT, else ORDERS_METRICS_PORT, else 9403 (loopback)
 *   npm start            # PORT, else ORDERS_PORT, else 4003
 */
import { createHash } from 'node:crypto';
import { jwtAuth, requireScopes } from '@milkyway/auth';
import { HttpError } from '@milkyway/core';
import { tracingInterceptor } from '@milkyway/observability';
import { httpClient, UpstreamResponseError } from '@milkyway/resilience/http';
import {
  NewOrder,
  NewOrderHeaders,
  Order,
  OrderList,
  OrderParams,
  Product,
} from '../../shared/src/contracts/index.js';
import {
  createStorefrontService,
  listen,
  metricsPortFrom,
  portFrom,
  tokenSettings,
  upstreams,
} from '../../shared/src/service-kit.js';
import { IdempotencyStore, OrderStore } from './orders.js';

const port = portFrom('ORDERS_PORT', 4003);
const kit = createStorefrontService(
  'orders',
  'Orders of the storefront: idempotent placement, prices from the catalog.',
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

const orders = new OrderStore();
const idempotency = new IdempotencyStore();

// (`/orders/*` also matches `/orders` itself.)
service.use('/orders/*', jwtAuth(tokenSettings()));

const fingerprint = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url');

service.post(
  '/orders',
  {
    headers: NewOrderHeaders,
    body: NewOrder,
    responses: {
      201: Order,
      422: { description: 'Unknown product, or the Idempotency-Key was used for another order' },
    },
    summary: 'Place an order (send an Idempotency-Key; retries return the first order)',
    tags: ['orders'],
  },
  requireScopes('orders:write'),
  async (c) => {
    const customer = c.var.principal.subject;
    const key = c.req.valid('header')['idempotency-key'];
    const request = c.req.valid('json');
    const { order, replayed } = await idempotency.run(
      customer,
      key,
      fingerprint(request),
      async () => {
        logger.info({ customer, items: request.items.length }, 'placing order');
        const bound = { signal: c.var.signal, deadline: c.var.deadline };
        const products = await Promise.all(
          request.items.map(async (item) => {
            try {
              return await catalog.json(`/products/${encodeURIComponent(item.productId)}`, {
                ...bound,
                schema: Product,
              });
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
        const totalCents = items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
        const placed = orders.create({ customer, items, totalCents, currency: 'EUR' });
        logger.info({ order: placed.id, customer, totalCents }, 'order placed');
        return placed;
      },
    );
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
  (c) => c.json({ orders: orders.byCustomer(c.var.principal.subject) }, 200),
);

service.get(
  '/orders/:id',
  {
    params: OrderParams,
    responses: { 200: Order, 404: { description: 'No such order (or not yours)' } },
    summary: 'One of my orders',
    tags: ['orders'],
  },
  requireScopes('orders:read'),
  (c) => {
    const order = orders.find(c.req.valid('param').id);
    if (!order || order.customer !== c.var.principal.subject) {
      throw new HttpError(404, 'no such order');
    }
    return c.json(order, 200);
  },
);

await listen(kit, port, metricsPortFrom('ORDERS_METRICS_PORT', 9403));
