import type { CloudEventAttributes, ReceivedEvent, Topic } from '@milkyway/events';
import { type Logger, silentLogger } from '@milkyway/protocol';
import { appendToLog, lockEventLog } from '../event-log/append.js';
import type { Database, SqlClient } from '../sql-client.js';
import type { ProjectionDefinition, ProjectionEvent, ProjectionTables } from './projection.js';

/**
 * How far a projection is behind the event log.
 *
 * @example
 * ```ts
 * import type { ProjectionLag } from '@milkyway/postgres';
 *
 * const lag: ProjectionLag = { generation: 1, position: '42', behind: 0, lagMs: 0 };
 * ```
 */
export interface ProjectionLag {
  /** The active generation (increases with each rebuild). */
  generation: number;
  /** The last log position applied. */
  position: string;
  /** Events of its topics in the log not applied yet. */
  behind: number;
  /** Age of the oldest event not applied yet (ms; 0 when up to date). */
  lagMs: number;
}

/**
 * Options of {@link createProjector}.
 *
 * @example
 * ```ts
 * import type { ProjectorOptions } from '@milkyway/postgres';
 *
 * const options: ProjectorOptions = { batchSize: 500 };
 * ```
 */
export interface ProjectorOptions {
  /** Events applied per transaction when catching up or replaying (default 200). */
  batchSize?: number;
  /** Where events that fail their schema in the log are reported (they are skipped). */
  logger?: Logger;
}

/**
 * Runs a projection (see {@link createProjector}).
 *
 * @example
 * ```ts
 * import type { Projector } from '@milkyway/postgres';
 *
 * declare const projector: Projector;
 * await projector.start();
 * await projector.catchUp();
 * console.warn(await projector.lag());
 * ```
 */
export interface Projector {
  /** Creates the first generation's tables and views if the projection is new. Idempotent. */
  start(): Promise<void>;
  /**
   * A handler for `bus.subscribe(topics, projector.handle, { group })`: records the event in
   * the event log (once per source and id, so redeliveries are harmless) and catches up.
   */
  handle(event: ReceivedEvent): Promise<void>;
  /** Applies the log's events after the checkpoint, each batch in one transaction with the checkpoint. Returns how many. */
  catchUp(): Promise<number>;
  /**
   * Rebuilds from the beginning of the log into fresh tables (the next generation) while the
   * live one keeps serving, then switches the views to it and drops the old tables in one
   * transaction. Returns the new generation.
   */
  rebuild(): Promise<number>;
  /** How far behind the log it is. */
  lag(): Promise<ProjectionLag>;
}

interface LogRow {
  position: string;
  source: string;
  event_id: string;
  type: string;
  key: string | null;
  attributes: CloudEventAttributes;
  data: string;
}

/**
 * Runs a projection — a CQRS read model kept up to date from events — on the event log
 * (`milkyway_event_log`). The log is the projection's stream: a totally ordered, append-only
 * table filled by the relay (`retention: 'archive'`, for events produced in this database)
 * and by {@link Projector.handle} (for events received from other services). Both live
 * updates and rebuilds are the same fold over the log in position order, so a rebuilt
 * projection equals the live one.
 *
 * @example
 * ```ts
 * import { createEventBus, createMemoryBroker, defineTopic } from '@milkyway/events';
 * import { createProjector, defineProjection, type Database } from '@milkyway/postgres';
 * import { z } from 'zod';
 *
 * declare const db: Database;
 * const placed = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ sku: z.string() }) });
 * const orderCount = defineProjection({
 *   name: 'order-count',
 *   topics: [placed],
 *   tables: ['order_count'],
 *   setup: (tx, t) => tx.query(`CREATE TABLE ${t.order_count} (sku text PRIMARY KEY, n bigint NOT NULL)`).then(() => {}),
 *   apply: (tx, e, t) =>
 *     tx.query(`INSERT INTO ${t.order_count} VALUES ($1, 1) ON CONFLICT (sku) DO UPDATE SET n = ${t.order_count}.n + 1`, [e.data.sku]).then(() => {}),
 * });
 *
 * const projector = createProjector(db, orderCount);
 * await projector.start();
 * const bus = createEventBus({ source: '/reports', transport: createMemoryBroker().connect() });
 * await bus.subscribe(placed, (event) => projector.handle(event), { group: 'reports' });
 * // later, after changing apply():
 * await projector.rebuild();
 * ```
 */
export function createProjector<T extends Topic, Name extends string>(
  db: Database,
  projection: ProjectionDefinition<T, Name>,
  options: ProjectorOptions = {},
): Projector {
  const batchSize = options.batchSize ?? 200;
  const logger = options.logger ?? silentLogger;
  const byType = new Map<string, Topic>(projection.topics.map((t) => [t.type, t]));
  const types = [...byType.keys()];
  const tablesOf = (generation: number) =>
    Object.fromEntries(
      projection.tables.map((t) => [t, `${t}_g${generation}`]),
    ) as ProjectionTables<Name>;

  async function createGeneration(tx: SqlClient, generation: number) {
    const tables = tablesOf(generation);
    for (const t of Object.values<string>(tables))
      await tx.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    await projection.setup(tx, tables);
  }
  async function pointViews(tx: SqlClient, generation: number) {
    const tables = tablesOf(generation);
    for (const base of projection.tables) {
      await tx.query(`DROP VIEW IF EXISTS ${base}`);
      await tx.query(`CREATE VIEW ${base} AS SELECT * FROM ${tables[base]}`);
    }
  }

  /** Applies up to one batch after `position` into `generation`; returns the new position and count. */
  async function applyBatch(tx: SqlClient, generation: number, position: string) {
    const { rows } = await tx.query<LogRow>(
      `SELECT position::text AS position, source, event_id, type, key, attributes, data
FROM milkyway_event_log WHERE milkyway_event_log.position > $1::bigint AND type = ANY($2::text[])
ORDER BY milkyway_event_log.position LIMIT $3`,
      [position, types, batchSize],
    );
    const tables = tablesOf(generation);
    let lastTime: string | undefined;
    for (const row of rows) {
      const topic = byType.get(row.type)!;
      let parsed: ReturnType<Topic['parse']>;
      try {
        parsed = topic.parse(JSON.parse(row.data));
      } catch {
        parsed = { ok: false, message: 'data is not valid JSON', issues: [] };
      }
      if (!parsed.ok) {
        // Deterministic either way: a rebuild skips the same events.
        logger.warn(
          { projection: projection.name, position: row.position, reason: parsed.message },
          'projection: event skipped',
        );
        continue;
      }
      const event = {
        topic,
        type: row.type,
        id: row.event_id,
        source: row.source,
        key: row.key ?? undefined,
        time: row.attributes.time,
        data: parsed.value,
        attributes: row.attributes,
        position: row.position,
      } as unknown as ProjectionEvent<T>;
      await projection.apply(tx, event, tables);
      lastTime = row.attributes.time ?? lastTime;
    }
    const next = rows.length > 0 ? rows[rows.length - 1]!.position : position;
    return { position: next, count: rows.length, lastTime };
  }

  async function checkpoint(tx: SqlClient) {
    const { rows } = await tx.query<{ generation: number; position: string }>(
      'SELECT generation, position::text AS position FROM milkyway_projections WHERE name = $1 FOR UPDATE',
      [projection.name],
    );
    if (!rows[0])
      throw new Error(`projection ${projection.name} is not started: call start() first`);
    return { generation: Number(rows[0].generation), position: rows[0].position };
  }

  const projector: Projector = {
    async start() {
      await db.transaction(async (tx) => {
        const { rows } = await tx.query(
          'INSERT INTO milkyway_projections (name, generation) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING RETURNING name',
          [projection.name],
        );
        if (rows.length === 0) return;
        await createGeneration(tx, 1);
        await pointViews(tx, 1);
      });
    },
    async handle(event) {
      await db.transaction(async (tx) => {
        await lockEventLog(tx);
        await appendToLog(tx, [
          {
            source: event.source,
            id: event.id,
            type: event.type,
            key: event.key ?? null,
            attributes: event.attributes,
            data: JSON.stringify(event.data),
          },
        ]);
      });
      await projector.catchUp();
    },
    async catchUp() {
      let total = 0;
      for (;;) {
        const count = await db.transaction(async (tx) => {
          const { generation, position } = await checkpoint(tx);
          const batch = await applyBatch(tx, generation, position);
          if (batch.count > 0) {
            await tx.query(
              'UPDATE milkyway_projections SET position = $2, last_event_time = coalesce($3::timestamptz, last_event_time), updated_at = now() WHERE name = $1',
              [projection.name, batch.position, batch.lastTime ?? null],
            );
          }
          return batch.count;
        });
        total += count;
        if (count < batchSize) return total;
      }
    },
    async rebuild() {
      const { generation: live } = await db.transaction((tx) => checkpoint(tx));
      const next = live + 1;
      await db.transaction((tx) => createGeneration(tx, next));
      // Replay while the live generation keeps serving and catching up.
      let position = '0';
      for (;;) {
        const batch = await db.transaction((tx) => applyBatch(tx, next, position));
        position = batch.position;
        if (batch.count < batchSize) break;
      }
      // Switch: under the checkpoint's lock (live catch-up waits), apply what arrived meanwhile.
      return db.transaction(async (tx) => {
        const current = await checkpoint(tx);
        if (current.generation !== live)
          throw new Error(`projection ${projection.name}: another rebuild switched first`);
        for (;;) {
          const batch = await applyBatch(tx, next, position);
          position = batch.position;
          if (batch.count < batchSize) break;
        }
        await pointViews(tx, next);
        for (const t of Object.values<string>(tablesOf(live)))
          await tx.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
        await tx.query(
          'UPDATE milkyway_projections SET generation = $2, position = $3, updated_at = now() WHERE name = $1',
          [projection.name, next, position],
        );
        return next;
      });
    },
    async lag() {
      const { rows } = await db.query<{
        generation: number;
        position: string;
        behind: string;
        oldest: string | null;
      }>(
        `SELECT p.generation, p.position::text AS position,
  (SELECT count(*) FROM milkyway_event_log l WHERE l.position > p.position AND l.type = ANY($2::text[]))::text AS behind,
  (SELECT (extract(epoch FROM now() - min(l.recorded_at)) * 1000)::bigint::text FROM milkyway_event_log l
    WHERE l.position > p.position AND l.type = ANY($2::text[])) AS oldest
FROM milkyway_projections p WHERE p.name = $1`,
        [projection.name, types],
      );
      const row = rows[0];
      if (!row) throw new Error(`projection ${projection.name} is not started: call start() first`);
      return {
        generation: Number(row.generation),
        position: row.position,
        behind: Number(row.behind),
        lagMs: row.oldest === null ? 0 : Math.max(0, Number(row.oldest)),
      };
    },
  };
  return projector;
}
