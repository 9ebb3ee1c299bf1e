/** The orders service's public contract: what its API accepts and returns. */
import { z } from 'zod';
import { ProductId } from './catalog.js';
import { OrderStatus } from './events.js';

/** The path parameters of `/orders/:id`. */
export const OrderParams = z.object({ id: z.string().regex(/^o-[0-9a-f-]{36}$/) });

/** The body of POST /orders. */
export const NewOrder = z
  .object({
    items: z
      .array(
        z
          .object({
            productId: ProductId,
            quantity: z.number().int().min(1).max(100),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    note: z.string().max(500).optional(),
  })
  .strict();
/** An order request. */
export type NewOrder = z.infer<typeof NewOrder>;

/** A placed order. */
export const Order = z.object({
  id: z.string(),
  customer: z.string(),
  items: z.array(
    z.object({
      productId: z.string(),
      name: z.string(),
      quantity: z.number().int(),
      unitPriceCents: z.number().int(),
    }),
  ),
  totalCents: z.number().int(),
  currency: z.literal('EUR'),
  /** `pending` until the catalog reserved (`confirmed`) or refused (`rejected`) its stock. */
  status: OrderStatus,
  /** Why the order was rejected (only when `status` is `rejected`). */
  rejectionReason: z.string().optional(),
  createdAt: z.string(),
  /** When the status last changed. */
  updatedAt: z.string(),
});
/** An order. */
export type Order = z.infer<typeof Order>;

/** The body of `GET /orders`: the caller's orders, newest first. */
export const OrderList = z.object({ orders: z.array(Order) });

/** The Idempotency-Key header: 1-255 visible ASCII characters (a UUID is typical). */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/);

/** The headers of POST /orders (names in lower case). */
export const NewOrderHeaders = z.object({ 'idempotency-key': IdempotencyKey });

/** Count and sum of a customer's orders in one status. */
export const OrderTotals = z.object({
  count: z.number().int().nonnegative(),
  totalCents: z.number().int().nonnegative(),
});
/** Count and sum of orders. */
export type OrderTotals = z.infer<typeof OrderTotals>;

/** One order as the order-history read model knows it. */
export const OrderHistoryEntry = z.object({
  orderId: z.string(),
  status: OrderStatus,
  totalCents: z.number().int().nonnegative(),
  placedAt: z.string(),
  updatedAt: z.string(),
});

/**
 * The body of `GET /order-history`: the caller's orders and their totals per status, from the
 * `order-history` projection (built from the events, eventually consistent with the orders).
 */
export const OrderHistory = z.object({
  customer: z.string(),
  totals: z.object({
    all: OrderTotals,
    pending: OrderTotals,
    confirmed: OrderTotals,
    rejected: OrderTotals,
  }),
  /** Newest first. */
  orders: z.array(OrderHistoryEntry),
});
/** A customer's order history. */
export type OrderHistory = z.infer<typeof OrderHistory>;

/** Where a projection stands: its generation, log position and how far behind the log it is. */
export const ProjectionLag = z.object({
  projection: z.string(),
  generation: z.number().int(),
  position: z.string(),
  behind: z.number().int().nonnegative(),
  lagMs: z.number().nonnegative(),
});

/**
 * The body of `POST /admin/order-history/rebuild` (scope `orders:admin`): the projection was
 * rebuilt from the start of the event log into a new generation (`generation`, which the views
 * now point at; `previousGeneration` was dropped), and where it stands now.
 */
export const ProjectionRebuild = ProjectionLag.extend({
  previousGeneration: z.number().int(),
});
/** The answer of a rebuild. */
export type ProjectionRebuild = z.infer<typeof ProjectionRebuild>;
