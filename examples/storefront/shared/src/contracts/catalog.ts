/** The catalog's public contract: what its API accepts and returns (shared by every service). */
import { z } from 'zod';

/** A product id: lower-case letters, digits and dashes, at most 40 characters. */
export const ProductId = z.string().regex(/^[a-z0-9-]{1,40}$/);

/** The path parameters of `/products/:id`. */
export const ProductParams = z.object({ id: ProductId });

/** A product as the API returns it. */
export const Product = z.object({
  id: z.string(),
  name: z.string(),
  priceCents: z.number().int().nonnegative(),
  currency: z.literal('EUR'),
  stock: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
/** A product. */
export type Product = z.infer<typeof Product>;

/** The body of `GET /products`. */
export const ProductList = z.object({ products: z.array(Product) });

/** What a price/stock update may change. */
export const ProductPatch = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    priceCents: z.number().int().nonnegative().max(100_000_000).optional(),
    stock: z.number().int().nonnegative().max(1_000_000).optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
/** A product update. */
export type ProductPatch = z.infer<typeof ProductPatch>;
