import type { ConsumerMiddleware } from '@milkyway/events';
import type { SqlClient } from '../sql-client.js';
import { KeyOutOfOrderError } from './key-out-of-order-error.js';

/**
 * A consumer middleware that applies each key's events in the order they were committed, even
 * with several consumer replicas sharing a group (a broker delivers one key's events to
 * different replicas, which could otherwise apply them out of order). It reads the per-key
 * `sequence` the outbox adds to keyed events, and inside the inbox's transaction:
 * - the next sequence of the key: runs the handler and records it;
 * - an older one: already applied, skipped (acknowledged);
 * - a later one: its predecessor is not applied yet, so it fails with {@link KeyOutOfOrderError}
 *   and the consumer retries it after a backoff (give the consumer enough attempts).
 *
 * Needs `postgresInbox` (the transaction) and events produced through the outbox; events
 * without a key or sequence pass through. A group must see a key's first event (sequence 1):
 * create the group before producing, as with a broker's "deliver all".
 *
 * @example
 * ```ts
 * import { createEventBus, createMemoryBroker, defineTopic } from '@milkyway/events';
 * import { keyOrder, postgresInbox, type Database } from '@milkyway/postgres';
 * import { z } from 'zod';
 *
 * declare const db: Database;
 * const moved = defineTopic({ name: 'parcel.moved', version: 1, schema: z.object({ parcel: z.string(), to: z.string() }), key: (p) => p.parcel });
 * const bus = createEventBus({ source: '/tracking', transport: createMemoryBroker().connect() });
 * await bus.subscribe(moved, async (event, { tx }) => {
 *   await tx.query('UPDATE parcels SET location = $2 WHERE id = $1', [event.data.parcel, event.data.to]);
 * }, { group: 'tracking', inbox: postgresInbox(db), middleware: [keyOrder()], retry: { maxAttempts: 20 } });
 * ```
 */
export function keyOrder(): ConsumerMiddleware<SqlClient> {
  return async (event, ctx, next) => {
    const sequence = event.attributes.extensions?.sequence;
    const key = event.key;
    if (key === undefined || sequence === undefined || !/^\d+$/.test(sequence)) return next();
    const tx = ctx.tx;
    await tx.query(
      'INSERT INTO milkyway_inbox_sequences (consumer, key, sequence) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING',
      [ctx.group, key],
    );
    const { rows } = await tx.query<{ sequence: string }>(
      'SELECT sequence::text AS sequence FROM milkyway_inbox_sequences WHERE consumer = $1 AND key = $2 FOR UPDATE',
      [ctx.group, key],
    );
    const last = BigInt(rows[0]?.sequence ?? '0');
    const received = BigInt(sequence);
    if (received <= last) return;
    if (received > last + 1n) throw new KeyOutOfOrderError(key, String(last + 1n), sequence);
    await next();
    await tx.query(
      'UPDATE milkyway_inbox_sequences SET sequence = $3 WHERE consumer = $1 AND key = $2',
      [ctx.group, key, sequence],
    );
  };
}
