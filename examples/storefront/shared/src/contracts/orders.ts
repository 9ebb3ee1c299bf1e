/** The orders service's public contract: what its API accepts and returns. */
import { z } from 'zod';
import { ProductId } from './catalog.js';

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
  createdAt: z.string(),
});
/** An order. */
export type Order = z.infer<typeof Order>;

/** The body of `GET /orders`: the caller's orders, newest first. */
export const OrderList = z.object({ orders: z.array(Order) });

/** The Idempotency-Key header: 1-255 visible ASCII characters (a UUID is typical). */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/);

/** The headers of POST /orders (names in lower case). */
export const NewOrderHeaders = z.object({ 'idempotency-key': IdempotencyKey });
