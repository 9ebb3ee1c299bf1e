import type { CloudEventAttributes, Topic, TopicPayload } from '@milkyway/events';
import type { SqlClient } from '../sql-client.js';

/**
 * One event as a projection applies it: from the event log, parsed by its topic's schema.
 *
 * @example
 * ```ts
 * import type { ProjectionEvent } from '@milkyway/postgres';
 * import { defineTopic } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const placed = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ orderId: z.string() }) });
 * declare const event: ProjectionEvent<typeof placed>;
 * event.data.orderId;
 * ```
 */
export type ProjectionEvent<T extends Topic = Topic> = T extends Topic
  ? {
      readonly topic: T;
      readonly type: T['type'];
      readonly id: string;
      readonly source: string;
      readonly key: string | undefined;
      readonly time: string | undefined;
      readonly data: TopicPayload<T>;
      readonly attributes: CloudEventAttributes;
      /** The event's position in `milkyway_event_log`. */
      readonly position: string;
    }
  : never;

/**
 * The projection's tables of one generation: each base name mapped to its generation's table
 * (`order_history` → `order_history_g2`). Readers use the base name: a view on the active
 * generation.
 */
export type ProjectionTables<Name extends string> = Readonly<Record<Name, string>>;

/**
 * A read model built from events: its tables, how to create them, and how each event changes
 * them.
 *
 * @example
 * ```ts
 * import type { ProjectionDefinition } from '@milkyway/postgres';
 * import { defineTopic } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const placed = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ customer: z.string(), cents: z.number() }) });
 * const spend: ProjectionDefinition<typeof placed, 'customer_spend'> = {
 *   name: 'customer-spend',
 *   topics: [placed],
 *   tables: ['customer_spend'],
 *   async setup(tx, t) {
 *     await tx.query(`CREATE TABLE ${t.customer_spend} (customer text PRIMARY KEY, cents bigint NOT NULL)`);
 *   },
 *   async apply(tx, event, t) {
 *     await tx.query(
 *       `INSERT INTO ${t.customer_spend} VALUES ($1, $2) ON CONFLICT (customer) DO UPDATE SET cents = ${t.customer_spend}.cents + $2`,
 *       [event.data.customer, event.data.cents],
 *     );
 *   },
 * };
 * ```
 */
export interface ProjectionDefinition<T extends Topic, Name extends string> {
  /** Unique per database; its checkpoint row in `milkyway_projections`. */
  name: string;
  /** The topics it is built from. */
  topics: readonly T[];
  /** Base names of its tables (lower-case SQL identifiers); readers query these views. */
  tables: readonly Name[];
  /** Creates one generation's tables (use the mapped names, e.g. for index names too). */
  setup(tx: SqlClient, tables: ProjectionTables<Name>): Promise<void>;
  /** Applies one event, in the same transaction as the checkpoint. Must be deterministic. */
  apply(tx: SqlClient, event: ProjectionEvent<T>, tables: ProjectionTables<Name>): Promise<void>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Declares a projection (a CQRS read model); run it with `createProjector`. Checks the table
 * names once here.
 *
 * @example
 * ```ts
 * import { defineProjection } from '@milkyway/postgres';
 * import { defineTopic } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const placed = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ sku: z.string(), quantity: z.number().int() }) });
 * export const salesBySku = defineProjection({
 *   name: 'sales-by-sku',
 *   topics: [placed],
 *   tables: ['sales_by_sku'],
 *   setup: (tx, t) => tx.query(`CREATE TABLE ${t.sales_by_sku} (sku text PRIMARY KEY, sold bigint NOT NULL)`).then(() => {}),
 *   apply: (tx, event, t) =>
 *     tx
 *       .query(`INSERT INTO ${t.sales_by_sku} VALUES ($1, $2) ON CONFLICT (sku) DO UPDATE SET sold = ${t.sales_by_sku}.sold + $2`, [
 *         event.data.sku,
 *         event.data.quantity,
 *       ])
 *       .then(() => {}),
 * });
 * ```
 */
export function defineProjection<T extends Topic, Name extends string>(
  definition: ProjectionDefinition<T, Name>,
): ProjectionDefinition<T, Name> {
  for (const table of definition.tables) {
    if (!IDENT.test(table) || table.length > 50) {
      throw new TypeError(
        `projection ${definition.name}: table name ${JSON.stringify(table)} must be a lower-case SQL identifier of at most 50 characters`,
      );
    }
  }
  if (definition.topics.length === 0)
    throw new TypeError(`projection ${definition.name}: give at least one topic`);
  return definition;
}
