/**
 * The storefront's events: what the services tell each other. Orders publishes `order.placed`;
 * the catalog answers with `stock.reserved` or `stock.rejected`; orders then publishes
 * `order.confirmed` or `order.rejected` (what the read model and other consumers follow).
 * Every event of one order is keyed by its id, so its events stay in order.
 */
import { defineTopic } from '@milkyway/events';
import { z } from 'zod';
import { ProductId } from './catalog.js';

/** One line of an order as the events carry it. */
export const OrderLine = z.object({
  productId: ProductId,
  quantity: z.number().int().min(1),
  unitPriceCents: z.number().int().nonnegative(),
});

/** An order was accepted by the orders service; its stock must be reserved. */
export const orderPlaced = defineTopic({
  name: 'storefront.order.placed',
  version: 1,
  description: 'An order was accepted (status pending); the catalog reserves its stock.',
  schema: z.object({
    orderId: z.string(),
    customer: z.string(),
    lines: z.array(OrderLine).min(1),
    totalCents: z.number().int().nonnegative(),
    placedAt: z.string(),
  }),
  key: (event) => event.orderId,
});

/** The catalog reserved every line of an order. */
export const stockReserved = defineTopic({
  name: 'storefront.stock.reserved',
  version: 1,
  description: 'The catalog reserved the stock of every line of the order.',
  schema: z.object({
    orderId: z.string(),
    lines: z.array(z.object({ productId: ProductId, quantity: z.number().int().min(1) })),
  }),
  key: (event) => event.orderId,
});

/** The catalog could not reserve an order's stock; nothing of it was reserved. */
export const stockRejected = defineTopic({
  name: 'storefront.stock.rejected',
  version: 1,
  description: 'The catalog could not reserve the order (not enough stock, unknown product).',
  schema: z.object({
    orderId: z.string(),
    reason: z.enum(['insufficient-stock', 'unknown-product']),
    productId: ProductId,
    requested: z.number().int(),
    available: z.number().int(),
  }),
  key: (event) => event.orderId,
});

/** The order's final status, published by orders once the catalog answered. */
export const orderConfirmed = defineTopic({
  name: 'storefront.order.confirmed',
  version: 1,
  description: 'The order is confirmed: its stock is reserved.',
  schema: z.object({ orderId: z.string(), customer: z.string(), totalCents: z.number().int() }),
  key: (event) => event.orderId,
});

/** The order was rejected by the stock reservation. */
export const orderRejected = defineTopic({
  name: 'storefront.order.rejected',
  version: 1,
  description: 'The order is rejected: the catalog could not reserve its stock.',
  schema: z.object({ orderId: z.string(), customer: z.string(), reason: z.string() }),
  key: (event) => event.orderId,
});

/** An order's status: pending until the catalog answers, then confirmed or rejected. */
export const OrderStatus = z.enum(['pending', 'confirmed', 'rejected']);
/** An order's status. */
export type OrderStatus = z.infer<typeof OrderStatus>;
