/**
 * The orders' data, in the orders service's own database: the orders (with their status) and
 * the idempotency records, written together with the `order.placed` event through the outbox.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Outbox, SqlClient } from '@milkyway/postgres';
import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  type Order,
  type OrderStatus,
  orderConfirmed,
  orderPlaced,
  orderRejected,
} from '../../shared/src/contracts/index.js';

/** The orders service's tables (idempotent: run at every start). */
export async function ordersSchema(tx: SqlClient) {
  await tx.query(`CREATE TABLE IF NOT EXISTS orders (
  id text PRIMARY KEY,
  customer text NOT NULL,
  items jsonb NOT NULL,
  total_cents bigint NOT NULL,
  currency text NOT NULL,
  status text NOT NULL,
  rejection_reason text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
)`);
  await tx.query(
    'CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer, created_at DESC)',
  );
  await tx.query(`CREATE TABLE IF NOT EXISTS idempotency_keys (
  customer text NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  order_id text NOT NULL REFERENCES orders (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer, key)
)`);
}

interface OrderRow {
  id: string;
  customer: string;
  items: Order['items'] | string;
  total_cents: string | number;
  currency: 'EUR';
  status: OrderStatus;
  rejection_reason: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const tracer = trace.getTracer('storefront-orders');

/**
 * Runs `work` in a span of its own (INTERNAL), e.g. the order's transaction: the outbox row
 * records the active span as the event's traceparent, so the consumers' spans hang under it.
 */
async function inSpan<T>(
  name: string,
  attributes: Record<string, string>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

const iso = (value: Date | string) => new Date(value).toISOString();

function toOrder(row: OrderRow): Order & { version: number } {
  return {
    id: row.id,
    customer: row.customer,
    items: typeof row.items === 'string' ? JSON.parse(row.items) : row.items,
    totalCents: Number(row.total_cents),
    currency: row.currency,
    status: row.status,
    ...(row.rejection_reason ? { rejectionReason: row.rejection_reason } : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: row.version,
  };
}

/** Drops the storage-only fields (the row version) from an order. */
export function publicOrder({ version: _version, ...order }: Order & { version?: number }): Order {
  return order;
}

/** The orders, in the database; every change that others must hear about goes through the outbox. */
export class OrderStore {
  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Saves a new order (status `pending`), its idempotency record and its `order.placed` event in
   * ONE transaction: no order without its event, no event without its order. Throws the
   * database's unique violation (code 23505) when the idempotency key was taken meanwhile.
   */
  async place(
    order: Pick<Order, 'customer' | 'items' | 'totalCents'>,
    idempotency: { key: string; fingerprint: string },
  ): Promise<Order> {
    const id = `o-${randomUUID()}`;
    const now = new Date().toISOString();
    return inSpan('orders place order', { 'storefront.order.id': id }, () =>
      this.db.transaction(async (tx) => {
        const { rows } = await tx.query<OrderRow>(
          `INSERT INTO orders (id, customer, items, total_cents, currency, status, created_at, updated_at)
VALUES ($1, $2, $3::jsonb, $4, 'EUR', 'pending', $5, $5) RETURNING *`,
          [id, order.customer, JSON.stringify(order.items), order.totalCents, now],
        );
        // A record older than a day is forgotten: the key may be used again.
        await tx.query(
          `DELETE FROM idempotency_keys WHERE customer = $1 AND key = $2 AND created_at < now() - interval '24 hours'`,
          [order.customer, idempotency.key],
        );
        await tx.query(
          'INSERT INTO idempotency_keys (customer, key, fingerprint, order_id) VALUES ($1, $2, $3, $4)',
          [order.customer, idempotency.key, idempotency.fingerprint, id],
        );
        await this.outbox.enqueue(
          tx,
          orderPlaced,
          {
            orderId: id,
            customer: order.customer,
            lines: order.items.map((i) => ({
              productId: i.productId,
              quantity: i.quantity,
              unitPriceCents: i.unitPriceCents,
            })),
            totalCents: order.totalCents,
            placedAt: now,
          },
          // Stable: a replayed relay publishes the same id, which brokers and inboxes drop.
          { id: `${id}/placed`, subject: id },
        );
        return publicOrder(toOrder(rows[0]!));
      }),
    );
  }

  /** The idempotency record of (customer, key), if it is younger than a day. */
  async idempotencyRecord(customer: string, key: string) {
    const { rows } = await this.db.query<{ fingerprint: string; order_id: string }>(
      `SELECT fingerprint, order_id FROM idempotency_keys
WHERE customer = $1 AND key = $2 AND created_at >= now() - interval '24 hours'`,
      [customer, key],
    );
    return rows[0];
  }

  /** Deletes idempotency records older than a day (their keys may be used again). */
  async forgetExpiredIdempotencyKeys() {
    await this.db.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`,
    );
  }

  /** One order with its row version, or undefined. */
  async find(id: string) {
    const { rows } = await this.db.query<OrderRow>('SELECT * FROM orders WHERE id = $1', [id]);
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  /** A customer's orders, newest first. */
  async byCustomer(customer: string): Promise<Order[]> {
    const { rows } = await this.db.query<OrderRow>(
      'SELECT * FROM orders WHERE customer = $1 ORDER BY created_at DESC, id',
      [customer],
    );
    return rows.map((r) => publicOrder(toOrder(r)));
  }

  /**
   * The catalog's answer for an order, inside the inbox transaction `tx`: a pending order
   * becomes `confirmed` or `rejected`, and `order.confirmed` / `order.rejected` goes to the
   * outbox in the same transaction. An order that is no longer pending (or unknown) is left as
   * it is; returns whether it changed.
   */
  async settle(
    tx: SqlClient,
    orderId: string,
    outcome: { status: 'confirmed' } | { status: 'rejected'; reason: string },
  ): Promise<boolean> {
    return inSpan(
      'orders settle order',
      { 'storefront.order.id': orderId, 'storefront.order.status': outcome.status },
      () => this.settleIn(tx, orderId, outcome),
    );
  }

  private async settleIn(
    tx: SqlClient,
    orderId: string,
    outcome: { status: 'confirmed' } | { status: 'rejected'; reason: string },
  ): Promise<boolean> {
    const reason = outcome.status === 'rejected' ? outcome.reason : null;
    const { rows } = await tx.query<OrderRow>(
      `UPDATE orders SET status = $2, rejection_reason = $3, version = version + 1, updated_at = now()
WHERE id = $1 AND status = 'pending' RETURNING *`,
      [orderId, outcome.status, reason],
    );
    const row = rows[0];
    if (!row) return false;
    const order = toOrder(row);
    if (outcome.status === 'confirmed') {
      await this.outbox.enqueue(
        tx,
        orderConfirmed,
        { orderId, customer: order.customer, totalCents: order.totalCents },
        { id: `${orderId}/confirmed`, subject: orderId },
      );
    } else {
      await this.outbox.enqueue(
        tx,
        orderRejected,
        { orderId, customer: order.customer, reason: outcome.reason },
        { id: `${orderId}/rejected`, subject: orderId },
      );
    }
    return true;
  }
}

/** An Idempotency-Key reused with a different request body (422, as the IETF draft says). */
export class KeyReusedError extends Error {
  readonly status = 422;
  readonly title = 'Idempotency-Key reused';
  readonly expose = true;
  constructor() {
    super('this Idempotency-Key was already used with a different request');
  }
}
