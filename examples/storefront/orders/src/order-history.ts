/**
 * The order-history read model: per customer, every order with its status, and the totals per
 * status. A projection (`@milkyway/postgres`) folded from the event log: the orders relay
 * archives every event it published (`order.placed`, `order.confirmed`, `order.rejected`) into
 * `milkyway_event_log`, and the projector applies them in log order. The live projection and
 * one rebuilt from zero are the same fold over the same log, hence equal.
 */
import {
  createProjector,
  type Database,
  defineProjection,
  type Projector,
} from '@milkyway/postgres';
import {
  type OrderHistory,
  type OrderStatus,
  orderConfirmed,
  orderPlaced,
  orderRejected,
} from '../../shared/src/contracts/index.js';

/** The projection: one row per order, keyed by order id. */
export const orderHistoryProjection = defineProjection({
  name: 'order-history',
  topics: [orderPlaced, orderConfirmed, orderRejected],
  tables: ['order_history'],
  async setup(tx, t) {
    await tx.query(`CREATE TABLE ${t.order_history} (
  order_id text PRIMARY KEY,
  customer text NOT NULL,
  status text NOT NULL,
  total_cents bigint NOT NULL,
  placed_at text NOT NULL,
  updated_at text NOT NULL
)`);
    await tx.query(
      `CREATE INDEX ${t.order_history}_by_customer ON ${t.order_history} (customer, placed_at DESC)`,
    );
  },
  // Deterministic (a rebuild must equal the live model): only the events' own data and time.
  // Each statement also copes with the events of one order arriving in any order.
  async apply(tx, event, t) {
    const at = event.time ?? '';
    if (event.type === orderPlaced.type) {
      const placed = event.data;
      await tx.query(
        `INSERT INTO ${t.order_history} (order_id, customer, status, total_cents, placed_at, updated_at)
VALUES ($1, $2, 'pending', $3, $4, $5)
ON CONFLICT (order_id) DO UPDATE SET total_cents = EXCLUDED.total_cents, placed_at = EXCLUDED.placed_at`,
        [placed.orderId, placed.customer, placed.totalCents, placed.placedAt, at],
      );
      return;
    }
    const status = event.type === orderConfirmed.type ? 'confirmed' : 'rejected';
    const data: { orderId: string; customer: string; totalCents?: number } = event.data;
    await tx.query(
      `INSERT INTO ${t.order_history} (order_id, customer, status, total_cents, placed_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5)
ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
      [data.orderId, data.customer, status, data.totalCents ?? 0, at],
    );
  },
});

/** Reads the projection (through its view, whichever generation is live). */
export async function readOrderHistory(db: Database, customer: string): Promise<OrderHistory> {
  const { rows } = await db.query<{
    order_id: string;
    status: OrderStatus;
    total_cents: string | number;
    placed_at: string;
    updated_at: string;
  }>(
    `SELECT order_id, status, total_cents, placed_at, updated_at FROM order_history
WHERE customer = $1 ORDER BY placed_at DESC, order_id`,
    [customer],
  );
  const zero = () => ({ count: 0, totalCents: 0 });
  const totals = { all: zero(), pending: zero(), confirmed: zero(), rejected: zero() };
  const orders = rows.map((r) => {
    const totalCents = Number(r.total_cents);
    for (const bucket of [totals.all, totals[r.status]]) {
      bucket.count++;
      bucket.totalCents += totalCents;
    }
    return {
      orderId: r.order_id,
      status: r.status,
      totalCents,
      placedAt: r.placed_at,
      updatedAt: r.updated_at,
    };
  });
  return { customer, totals, orders };
}

/**
 * Keeps the projection up to date: catches up with the log every `intervalMs` (the relay
 * archives what it published; nothing else to wait for). `stop()` ends the loop after the
 * round in flight.
 */
export function followLog(
  projector: Projector,
  intervalMs: number,
  onError: (error: unknown) => void,
) {
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        await projector.catchUp();
      } catch (error) {
        onError(error);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

export { createProjector };
