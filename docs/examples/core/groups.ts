// Routes grouped in a router, mounted under a version prefix, called with a typed client.
import { createRouter, createService } from '@milkyway/core';
import { hc } from 'hono/client';
import { z } from 'zod';

const Order = z.object({ id: z.string(), total: z.number() });

export const orders = createRouter()
  .get('/orders/:id', { params: z.object({ id: z.string() }), responses: { 200: Order } }, (c) =>
    c.json({ id: c.req.valid('param').id, total: 42 }, 200),
  )
  .post(
    '/orders',
    { body: z.object({ items: z.array(z.string()).min(1) }), responses: { 201: Order } },
    (c) => c.json({ id: 'o-1', total: c.req.valid('json').items.length * 10 }, 201),
  );

export const service = createService({ name: 'orders', version: '2.0.0' });
export const api = service.route('/v1', orders); // GET /v1/orders/:id, POST /v1/orders

export async function readOrder(baseUrl: string) {
  const client = hc<typeof api>(baseUrl);
  const res = await client.v1.orders[':id'].$get({ param: { id: 'o-1' } });
  if (res.status === 200) {
    const order = await res.json(); // { id: string; total: number }
    return order.total;
  }
  return undefined;
}
