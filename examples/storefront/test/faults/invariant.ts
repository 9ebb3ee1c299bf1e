/**
 * The invariant every fault test ends with, checked over the whole run through the public API:
 * every order placed is in a final state (none stuck pending), each Idempotency-Key made exactly
 * one order, and for every product `initial stock − Σ confirmed quantities == current stock`
 * (an order applied twice, or a rejected order that reserved a line, breaks it). The order
 * history read model agrees with the orders.
 */
import { expect } from 'vitest';
import { call, waitFor } from '../harness.js';
import type { Client, PlacedOrder } from './burst.js';

/** The products of the demo catalog. */
export const PRODUCTS = ['p-1001', 'p-1002', 'p-1003', 'p-1004', 'p-1005', 'p-1006'] as const;

interface ListedOrder {
  id: string;
  customer: string;
  status: 'pending' | 'confirmed' | 'rejected';
  items: Array<{ productId: string; quantity: number }>;
  totalCents: number;
}

/** Reads the available stock of every product from the catalog itself (no cached copy). */
export async function readStock(catalog: string): Promise<Record<string, number>> {
  const stock: Record<string, number> = {};
  for (const id of PRODUCTS) {
    const res = await call(`${catalog}/products/${id}`, {
      headers: { 'cache-control': 'no-cache' },
    });
    if (res.status !== 200) throw new Error(`GET /products/${id}: ${res.status} ${res.text}`);
    stock[id] = res.json.stock;
  }
  return stock;
}

/** Everything a run placed, and the stock it started from. */
export class Ledger {
  readonly placed: PlacedOrder[] = [];
  constructor(readonly initialStock: Record<string, number>) {}
  add(orders: PlacedOrder[]) {
    this.placed.push(...orders);
  }
}

/** What {@link checkInvariant} found. */
export interface Settled {
  orders: ListedOrder[];
  confirmed: number;
  rejected: number;
}

/**
 * Waits (bounded) until every order of the run is final, then asserts the invariant.
 * `services.orders` / `services.catalog` are the services' own URLs (the read model and the
 * uncached stock); the orders are listed through the gateway.
 */
export async function checkInvariant(
  client: Client,
  services: { orders: string; catalog: string },
  ledger: Ledger,
  { timeoutMs = 60_000, what = 'the run' } = {},
): Promise<Settled> {
  const customers = [...new Set(ledger.placed.map((o) => o.customer))];
  const byId = new Map(ledger.placed.map((o) => [o.id, o]));
  expect(byId.size, 'two keys of the run were answered with the same order').toBe(
    ledger.placed.length,
  );

  const listAll = async () => {
    const all: ListedOrder[] = [];
    for (const customer of customers) {
      let res = await call(`${client.gateway}/orders`, { token: await client.token(customer) });
      if (res.status === 401)
        res = await call(`${client.gateway}/orders`, {
          token: await client.token(customer, true),
        });
      if (res.status !== 200) throw new Error(`GET /orders as ${customer}: ${res.status}`);
      all.push(...(res.json.orders as ListedOrder[]));
    }
    return all;
  };

  const orders = await waitFor(
    async () => {
      const all = await listAll();
      const listed = new Set(all.map((o) => o.id));
      const missing = ledger.placed.filter((o) => !listed.has(o.id)).map((o) => o.id);
      const pending = all.filter((o) => o.status === 'pending').map((o) => o.id);
      if (missing.length > 0 || pending.length > 0) {
        throw new Error(
          `${pending.length} of ${all.length} orders still pending (${pending.slice(0, 5).join(', ')}…), ` +
            `${missing.length} accepted orders missing from GET /orders (${missing.slice(0, 5).join(', ')})`,
        );
      }
      return all;
    },
    { timeoutMs, intervalMs: 250, what: `every order of ${what} to be confirmed or rejected` },
  );

  // Each key made exactly one order: nothing the run did not place, nothing twice.
  const extra = orders.filter((o) => !byId.has(o.id)).map((o) => o.id);
  expect(extra, `orders nobody placed (a retried key made a second order?) after ${what}`).toEqual(
    [],
  );
  expect(new Set(orders.map((o) => o.id)).size).toBe(orders.length);
  expect(orders.length).toBe(ledger.placed.length);

  // Stock: initial − Σ confirmed == current, per product.
  const expected: Record<string, number> = { ...ledger.initialStock };
  for (const order of orders) {
    if (order.status !== 'confirmed') continue;
    for (const item of order.items) expected[item.productId]! -= item.quantity;
  }
  const actual = await readStock(services.catalog);
  expect(actual, `stock after ${what} (initial − Σ confirmed quantities)`).toEqual(expected);
  for (const id of PRODUCTS) expect(actual[id]).toBeGreaterThanOrEqual(0);

  // The read model agrees (it may lag: wait for it, bounded).
  for (const customer of customers) {
    const mine = orders.filter((o) => o.customer === customer);
    const count = (status: string) => mine.filter((o) => o.status === status).length;
    await waitFor(
      async () => {
        const res = await call(`${services.orders}/order-history`, {
          token: await client.token(customer),
        });
        if (res.status !== 200) throw new Error(`GET /order-history: ${res.status}`);
        const t = res.json.totals;
        const seen = `all ${t.all.count}, pending ${t.pending.count}, confirmed ${t.confirmed.count}, rejected ${t.rejected.count}`;
        const want = `all ${mine.length}, pending 0, confirmed ${count('confirmed')}, rejected ${count('rejected')}`;
        if (seen !== want) throw new Error(`order history of ${customer}: ${seen}; want ${want}`);
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `the order history to catch up after ${what}` },
    );
  }

  return {
    orders,
    confirmed: orders.filter((o) => o.status === 'confirmed').length,
    rejected: orders.filter((o) => o.status === 'rejected').length,
  };
}
