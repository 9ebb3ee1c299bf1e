import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** Issuer and audience every benchmark token carries. */
export const ISSUER = 'https://id.bench.local';
export const AUDIENCE = 'orders';

/** An order as the realistic route returns it. */
export interface Order {
  id: string;
  customerId: string;
  status: 'open' | 'paid' | 'shipped';
  totalCents: number;
  items: { sku: string; quantity: number; priceCents: number }[];
}

/** 100 orders, ord_0 .. ord_99, the "database" behind the in-memory cache. */
export const ORDERS: Map<string, Order> = new Map(
  Array.from({ length: 100 }, (_, i) => {
    const id = `ord_${i}`;
    return [
      id,
      {
        id,
        customerId: `cus_${i % 17}`,
        status: (['open', 'paid', 'shipped'] as const)[i % 3]!,
        totalCents: 1000 + i * 37,
        items: [
          { sku: `sku_${i}`, quantity: 1 + (i % 3), priceCents: 500 + i },
          { sku: `sku_${i + 1}`, quantity: 1, priceCents: 250 },
        ],
      },
    ];
  }),
);

/** The params schema of GET /orders/:id. */
export const OrderParams = z.object({ id: z.string().regex(/^ord_\d{1,6}$/) });

/** The public key the load process signed its tokens with (env BENCH_<ALG>_JWK). */
export function publicJwk(
  alg: 'ES256' | 'RS256' = 'ES256',
): JsonWebKey & { kid: string; alg: string } {
  const raw = process.env[`BENCH_${alg}_JWK`];
  if (!raw) throw new Error(`BENCH_${alg}_JWK is not set (the load process passes it)`);
  return JSON.parse(raw);
}

export function publicKeyObject(alg: 'ES256' | 'RS256' = 'ES256'): KeyObject {
  return createPublicKey({ key: publicJwk(alg), format: 'jwk' });
}

export function publicPem(alg: 'ES256' | 'RS256' = 'ES256'): string {
  return publicKeyObject(alg).export({ type: 'spki', format: 'pem' }).toString();
}

/** BENCH_ALG: which algorithm a jwt scenario verifies (default ES256). */
export const benchAlg = () => (process.env.BENCH_ALG === 'RS256' ? 'RS256' : 'ES256');

/** A rate limit so high that every request is admitted (the realistic route's limiter). */
export const ADMIT_ALL = { points: 1_000_000_000, durationS: 60 };
