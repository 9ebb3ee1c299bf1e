import type { Inbox, InboxKey, InboxOutcome } from '@milkyway/events';
import type { Database, SqlClient } from '../sql-client.js';

/**
 * The PostgreSQL inbox (see {@link postgresInbox}).
 *
 * @example
 * ```ts
 * import type { PostgresInbox } from '@milkyway/postgres';
 *
 * declare const inbox: PostgresInbox;
 * const removed = await inbox.prune({ olderThanMs: 7 * 24 * 3_600_000 });
 * ```
 */
export interface PostgresInbox extends Inbox<SqlClient> {
  /**
   * Deletes records older than `olderThanMs` (keep them longer than any redelivery can
   * arrive: the broker's retention and the consumers' retry window). Returns how many went.
   */
  prune(options: { olderThanMs: number }): Promise<number>;
}

/**
 * The idempotency hook of an `@milkyway/events` consumer, on PostgreSQL or PGlite: each message
 * id is inserted (per consumer group and source) in the same transaction as the handler's
 * effect. A redelivered message whose effect already committed finds its id and is
 * acknowledged without running the handler; a handler that fails rolls back its effect and the
 * id together, so the retry runs it again. The handler gets the transaction as `ctx.tx`.
 *
 * @example
 * ```ts
 * import { createEventBus, createMemoryBroker, defineTopic } from '@milkyway/events';
 * import { postgresInbox, type Database } from '@milkyway/postgres';
 * import { z } from 'zod';
 *
 * declare const db: Database;
 * const orderPlaced = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ orderId: z.string(), sku: z.string() }) });
 * const bus = createEventBus({ source: '/catalog', transport: createMemoryBroker().connect() });
 *
 * await bus.subscribe(
 *   orderPlaced,
 *   async (event, { tx }) => {
 *     await tx.query('UPDATE stock SET reserved = reserved + 1 WHERE sku = $1', [event.data.sku]);
 *   },
 *   { group: 'catalog', inbox: postgresInbox(db) },
 * );
 * ```
 */
export function postgresInbox(db: Database): PostgresInbox {
  return {
    runOnce(key: InboxKey, effect: (tx: SqlClient) => Promise<void>): Promise<InboxOutcome> {
      return db.transaction(async (tx) => {
        // A concurrent duplicate waits here on the primary key until the first one commits
        // (then it is a duplicate) or rolls back (then it applies).
        const { rows } = await tx.query(
          `INSERT INTO milkyway_inbox (consumer, source, message_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING 1 AS inserted`,
          [key.group, key.source, key.messageId],
        );
        if (rows.length === 0) return 'duplicate';
        await effect(tx);
        return 'applied';
      });
    },
    async prune({ olderThanMs }) {
      const { rows } = await db.query<{ n: string }>(
        `WITH gone AS (DELETE FROM milkyway_inbox WHERE processed_at < now() - make_interval(secs => $1) RETURNING 1)
SELECT count(*)::text AS n FROM gone`,
        [olderThanMs / 1000],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
