/**
 * The catalog's data, in the catalog's own database: the products with their AVAILABLE stock,
 * and the reservations made for orders. Seeded with demo products on first start.
 */
import type { TopicPayload } from '@milkyway/events';
import type { Database, Outbox, SqlClient } from '@milkyway/postgres';
import {
  type orderPlaced,
  type Product,
  type ProductPatch,
  stockRejected,
  stockReserved,
} from '../../shared/src/contracts/index.js';

const SEED: Array<Omit<Product, 'updatedAt' | 'currency'>> = [
  { id: 'p-1001', name: 'Milky Way mug', priceCents: 1290, stock: 120 },
  { id: 'p-1002', name: 'Andromeda poster', priceCents: 1990, stock: 40 },
  { id: 'p-1003', name: 'Nebula notebook', priceCents: 890, stock: 300 },
  { id: 'p-1004', name: 'Comet keyring', priceCents: 450, stock: 500 },
  { id: 'p-1005', name: 'Orion hoodie', priceCents: 4900, stock: 25 },
  { id: 'p-1006', name: 'Telescope (small)', priceCents: 12900, stock: 8 },
];

/** The catalog's tables and seed (idempotent: run at every start; the seed only once). */
export async function catalogSchema(tx: SqlClient) {
  await tx.query(`CREATE TABLE IF NOT EXISTS products (
  id text PRIMARY KEY,
  name text NOT NULL,
  price_cents bigint NOT NULL,
  currency text NOT NULL DEFAULT 'EUR',
  stock integer NOT NULL CHECK (stock >= 0),
  updated_at timestamptz NOT NULL
)`);
  await tx.query(`CREATE TABLE IF NOT EXISTS reservations (
  order_id text NOT NULL,
  product_id text NOT NULL REFERENCES products (id),
  quantity integer NOT NULL,
  reserved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, product_id)
)`);
  // One row per order the catalog has answered (reserved or rejected): an order.placed for an
  // order already answered, under another event id (re-published by an operator, produced
  // twice), is skipped instead of failing on the reservations' or the outbox's unique keys.
  await tx.query(`CREATE TABLE IF NOT EXISTS answered_orders (
  order_id text PRIMARY KEY,
  reserved boolean NOT NULL,
  reason text,
  answered_at timestamptz NOT NULL DEFAULT now()
)`);
  for (const p of SEED) {
    await tx.query(
      `INSERT INTO products (id, name, price_cents, stock, updated_at)
VALUES ($1, $2, $3, $4, to_timestamp(0)) ON CONFLICT (id) DO NOTHING`,
      [p.id, p.name, p.priceCents, p.stock],
    );
  }
}

interface ProductRow {
  id: string;
  name: string;
  price_cents: string | number;
  currency: 'EUR';
  stock: number;
  updated_at: Date | string;
}

const toProduct = (r: ProductRow): Product => ({
  id: r.id,
  name: r.name,
  priceCents: Number(r.price_cents),
  currency: r.currency,
  stock: r.stock,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** The outcome of reserving an order's stock. */
export type Reservation =
  | { reserved: true; productIds: string[]; duplicate?: true }
  | { reserved: false; productIds: string[]; reason: string; duplicate?: true };

/** The products, in the catalog's database. */
export class ProductRepository {
  /** How many times the repository was read (shows what the cache saves). */
  reads = 0;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
  ) {}

  /** All products, by id. */
  async list(): Promise<Product[]> {
    this.reads++;
    const { rows } = await this.db.query<ProductRow>('SELECT * FROM products ORDER BY id');
    return rows.map(toProduct);
  }

  /** One product, or undefined. */
  async find(id: string): Promise<Product | undefined> {
    this.reads++;
    const { rows } = await this.db.query<ProductRow>('SELECT * FROM products WHERE id = $1', [id]);
    return rows[0] ? toProduct(rows[0]) : undefined;
  }

  /** Applies a patch; undefined when the product does not exist. */
  async update(id: string, patch: ProductPatch): Promise<Product | undefined> {
    const { rows } = await this.db.query<ProductRow>(
      `UPDATE products SET name = coalesce($2, name), price_cents = coalesce($3, price_cents),
  stock = coalesce($4, stock), updated_at = now() WHERE id = $1 RETURNING *`,
      [id, patch.name ?? null, patch.priceCents ?? null, patch.stock ?? null],
    );
    return rows[0] ? toProduct(rows[0]) : undefined;
  }

  /**
   * Reserves every line of a placed order or none, inside the inbox transaction `tx`, and puts
   * the answer (`stock.reserved` or `stock.rejected`) in the outbox in the same transaction.
   * The products' rows are locked in id order, so concurrent reservations never deadlock.
   *
   * Idempotent on the order id, not only on the event id (the inbox's job): an order the
   * catalog has already answered is skipped — no stock moves and no second answer is written
   * (the first answer is in the outbox, which delivers it). The result then has
   * `duplicate: true` and the first decision.
   */
  async reserve(tx: SqlClient, order: TopicPayload<typeof orderPlaced>): Promise<Reservation> {
    const previous = await this.answered(tx, order.orderId);
    if (previous) return previous;
    // One product may appear on several lines: reserve the sum.
    const wanted = new Map<string, number>();
    for (const line of order.lines) {
      wanted.set(line.productId, (wanted.get(line.productId) ?? 0) + line.quantity);
    }
    const ids = [...wanted.keys()].sort();
    const { rows } = await tx.query<{ id: string; stock: number }>(
      'SELECT id, stock FROM products WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    const stock = new Map(rows.map((r) => [r.id, r.stock]));
    for (const id of ids) {
      const available = stock.get(id);
      const requested = wanted.get(id)!;
      if (available === undefined || available < requested) {
        const reason = available === undefined ? 'unknown-product' : 'insufficient-stock';
        await this.outbox.enqueue(
          tx,
          stockRejected,
          { orderId: order.orderId, reason, productId: id, requested, available: available ?? 0 },
          { id: `${order.orderId}/stock-rejected`, subject: order.orderId },
        );
        await tx.query(
          'INSERT INTO answered_orders (order_id, reserved, reason) VALUES ($1, false, $2)',
          [order.orderId, reason],
        );
        return { reserved: false, productIds: [], reason };
      }
    }
    for (const id of ids) {
      await tx.query('UPDATE products SET stock = stock - $2, updated_at = now() WHERE id = $1', [
        id,
        wanted.get(id),
      ]);
      await tx.query(
        'INSERT INTO reservations (order_id, product_id, quantity) VALUES ($1, $2, $3)',
        [order.orderId, id, wanted.get(id)],
      );
    }
    await this.outbox.enqueue(
      tx,
      stockReserved,
      {
        orderId: order.orderId,
        lines: ids.map((productId) => ({ productId, quantity: wanted.get(productId)! })),
      },
      { id: `${order.orderId}/stock-reserved`, subject: order.orderId },
    );
    await tx.query('INSERT INTO answered_orders (order_id, reserved) VALUES ($1, true)', [
      order.orderId,
    ]);
    return { reserved: true, productIds: ids };
  }

  /**
   * The catalog's earlier answer for an order, if any. Locks the order's row first (an
   * advisory transaction lock on the order id), so two order.placed for one order handled at
   * once are decided one after the other: the second one sees the first one's answer.
   */
  private async answered(tx: SqlClient, orderId: string): Promise<Reservation | undefined> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [orderId]);
    const { rows } = await tx.query<{ reserved: boolean; reason: string | null }>(
      'SELECT reserved, reason FROM answered_orders WHERE order_id = $1',
      [orderId],
    );
    const row = rows[0];
    if (row) {
      return row.reserved
        ? { reserved: true, productIds: [], duplicate: true }
        : { reserved: false, productIds: [], reason: row.reason ?? 'rejected', duplicate: true };
    }
    // Databases from before answered_orders: a reservation is an answer too.
    const reserved = await tx.query('SELECT 1 FROM reservations WHERE order_id = $1 LIMIT 1', [
      orderId,
    ]);
    return reserved.rows.length > 0
      ? { reserved: true, productIds: [], duplicate: true }
      : undefined;
  }
}
