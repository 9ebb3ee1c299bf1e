import {
  type CloudEventEnvelope,
  createCloudEvent,
  type Topic,
  type TopicInput,
} from '@milkyway/events';
import type { Clock } from '@milkyway/protocol';
import type { SqlClient } from '../sql-client.js';
import { OUTBOX_CHANNEL } from './channel.js';

/**
 * Options of one {@link Outbox.enqueue}.
 *
 * @example
 * ```ts
 * import type { EnqueueOptions } from '@milkyway/postgres';
 *
 * const options: EnqueueOptions = { id: 'order-o-1-placed', subject: 'o-1' };
 * ```
 */
export interface EnqueueOptions {
  /** The event id (default: a random UUID). A stable id makes a retried request enqueue a duplicate that brokers and inboxes drop. */
  id?: string;
  /** The CloudEvents `subject`. */
  subject?: string;
  /** The ordering key; defaults to the topic's `key(payload)`. */
  key?: string;
}

/**
 * Writes events into the transactional outbox.
 *
 * @example
 * ```ts
 * import { createOutbox, type Outbox } from '@milkyway/postgres';
 *
 * const outbox: Outbox = createOutbox({ source: '/orders' });
 * ```
 */
export interface Outbox {
  /**
   * Validates `payload` against the topic's schema (an `EventSchemaError` otherwise: let it
   * roll the transaction back) and inserts the event — CloudEvents attributes and the active
   * W3C trace context included — with the caller's transaction `tx`. The relay publishes it
   * once the transaction commits; a rolled-back transaction publishes nothing. Events with a
   * key get a per-key sequence number (the CloudEvents `sequence` extension) in commit order.
   */
  enqueue<T extends Topic>(
    tx: SqlClient,
    topic: T,
    payload: TopicInput<T>,
    options?: EnqueueOptions,
  ): Promise<CloudEventEnvelope>;
}

/**
 * Options of {@link createOutbox}.
 *
 * @example
 * ```ts
 * import type { OutboxOptions } from '@milkyway/postgres';
 *
 * const options: OutboxOptions = { source: '/orders' };
 * ```
 */
export interface OutboxOptions {
  /** The CloudEvents `source` of this service's events, e.g. `/orders`. */
  source: string;
  /** Epoch-ms clock for the events' `time` (default `Date.now`). */
  clock?: Clock;
}

const decoder = new TextDecoder();

// One round trip: the per-key sequence (its row lock also orders same-key transactions by
// commit), the row, and the NOTIFY that wakes the relay when the transaction commits.
const INSERT = `WITH seq AS (
  INSERT INTO milkyway_outbox_sequences (key, sequence)
  SELECT $2::text, 1 WHERE $2::text IS NOT NULL
  ON CONFLICT (key) DO UPDATE SET sequence = milkyway_outbox_sequences.sequence + 1
  RETURNING sequence
), row AS (
  INSERT INTO milkyway_outbox (destination, key, sequence, attributes, data)
  VALUES ($1, $2::text, (SELECT sequence FROM seq), $3::jsonb, $4)
  RETURNING id
)
SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM row`;

/**
 * The transactional outbox: "save and publish" as one transaction. Run the migrations first
 * (`migrate(db)`), and a {@link createRelay | relay} to publish what commits.
 *
 * @example
 * ```ts
 * import { defineTopic } from '@milkyway/events';
 * import { createOutbox, type Database } from '@milkyway/postgres';
 * import { z } from 'zod';
 *
 * declare const db: Database;
 * const orderPlaced = defineTopic({
 *   name: 'order.placed',
 *   version: 1,
 *   schema: z.object({ orderId: z.string(), totalCents: z.number().int() }),
 *   key: (order) => order.orderId,
 * });
 * const outbox = createOutbox({ source: '/orders' });
 *
 * await db.transaction(async (tx) => {
 *   await tx.query('INSERT INTO orders (id, total_cents) VALUES ($1, $2)', ['o-1', 1200]);
 *   await outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', totalCents: 1200 });
 * });
 * ```
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { source, clock } = options;
  return {
    async enqueue(tx, topic, payload, enqueueOptions = {}) {
      const envelope = createCloudEvent(topic, payload, {
        source,
        id: enqueueOptions.id,
        subject: enqueueOptions.subject,
        key: enqueueOptions.key,
        clock,
      });
      await tx.query(INSERT, [
        topic.destination,
        envelope.attributes.partitionkey ?? null,
        JSON.stringify(envelope.attributes),
        decoder.decode(envelope.data),
      ]);
      return envelope;
    },
  };
}
