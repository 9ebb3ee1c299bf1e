// A complete service: typed routes, errors, health, OpenAPI, graceful shutdown.
import { createService, HttpError } from '@milkyway/core';
import { z } from 'zod';

const Product = z.object({ id: z.string(), name: z.string(), priceCents: z.number().int() });
type Product = z.infer<typeof Product>;
const products = new Map<string, Product>();

export const service = createService({ name: 'catalog', version: '1.4.0', openapi: true });

export const routes = service
  .get(
    '/products/:id',
    {
      params: z.object({ id: z.string().min(1) }),
      responses: { 200: Product, 404: { description: 'No such product' } },
      tags: ['products'],
      summary: 'Get a product',
    },
    (c) => {
      const product = products.get(c.req.valid('param').id);
      if (!product) throw new HttpError(404, 'product not found');
      return c.json(product, 200);
    },
  )
  .get(
    '/products',
    {
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
      responses: { 200: z.array(Product) },
      tags: ['products'],
    },
    (c) => c.json([...products.values()].slice(0, c.req.valid('query').limit), 200),
  )
  .post(
    '/products',
    {
      body: Product.omit({ id: true }),
      responses: { 201: Product },
      tags: ['products'],
    },
    (c) => {
      const product = { id: crypto.randomUUID(), ...c.req.valid('json') };
      products.set(product.id, product);
      return c.json(product, 201);
    },
  );

export async function main() {
  // SIGTERM/SIGINT: readiness turns 503, in-flight requests drain, onClose hooks run.
  await service.listen({ port: Number(process.env.PORT ?? 3000) });
}
