import type { Topic, Transport } from '@milkyway/events';
import { type Logger, silentLogger } from '@milkyway/protocol';
import { appendToLog, type LogEntry, lockEventLog } from '../event-log/append.js';
import type { Database, DatabaseLock } from '../sql-client.js';
import { backoffDelay } from './backoff.js';
import { OUTBOX_CHANNEL } from './channel.js';
import { type DecodedRow, decodeRow, type OutboxRow } from './outbox-row.js';

/**
 * Options of {@link createRelay}.
 *
 * @example
 * ```ts
 * import type { RelayOptions } from '@milkyway/postgres';
 * import { createMemoryBroker } from '@milkyway/events';
 * import type { Database } from '@milkyway/postgres';
 *
 * declare const db: Database;
 * const options: RelayOptions = { db, transport: createMemoryBroker().connect(), retention: 'archive' };
 * ```
 */
export interface RelayOptions {
  /** The database holding the outbox. */
  db: Database;
  /** Where events are published: any `@milkyway/events` transport (JetStream, HTTP push, memory). */
  transport: Pick<Transport, 'publish'>;
  /** Relays with the same name elect one leader between them (default `default`). */
  name?: string;
  /** Rows read and published per round (default 256). */
  batchSize?: number;
  /** Keys published in parallel within a round; one key's events go one at a time (default: `batchSize`). */
  concurrency?: number;
  /** The polling fallback: the longest wait between rounds when no NOTIFY arrives (ms, default 1 000). */
  pollIntervalMs?: number;
  /** Listen to the outbox's NOTIFY for low latency (default `true`; polling remains the fallback). */
  notify?: boolean;
  /** How often a relay that is not the leader tries to become it (ms, default 1 000). */
  leaderRetryMs?: number;
  /**
   * What happens to a published row: `delete` (default), or `archive` it into
   * `milkyway_event_log` (which projections replay from; prune it with `pruneEventLog`).
   */
  retention?: 'delete' | 'archive';
  /** Backoff while the transport or the database fails (ms, default 100 → 30 000). */
  backoff?: { minMs?: number; maxMs?: number };
  /** Topics whose data the relay validates before publishing (a failing row is dead-lettered). */
  topics?: readonly Topic[];
  /** For warnings: transport down, dead-lettered rows, lost leadership (default silent). */
  logger?: Logger;
}

const READ = `SELECT id::text AS id, destination, key, sequence::text AS sequence, attributes, data
FROM milkyway_outbox`;

/**
 * What a relay is doing, for logs and readiness.
 *
 * @example
 * ```ts
 * import type { RelayStatus } from '@milkyway/postgres';
 *
 * const status: RelayStatus = { running: true, leader: true, published: 42, deadLettered: 0, failures: 0 };
 * ```
 */
export interface RelayStatus {
  running: boolean;
  /** Whether this replica holds the leadership (only the leader publishes). */
  leader: boolean;
  /** Events published by this replica since it started. */
  published: number;
  /** Rows this replica moved to `milkyway_outbox_dead_letter`. */
  deadLettered: number;
  /** Failed rounds in a row (0 when healthy). */
  failures: number;
  /** The last failure, when `failures > 0`. */
  lastError?: string;
}

/**
 * The outbox relay (see {@link createRelay}).
 *
 * @example
 * ```ts
 * import type { Relay } from '@milkyway/postgres';
 *
 * declare const relay: Relay;
 * await relay.start();
 * console.warn(relay.status().leader, await relay.pending());
 * await relay.stop();
 * ```
 */
export interface Relay {
  /** Starts the background loop (idempotent). Never blocks a request: enqueue does not wait for it. */
  start(): Promise<void>;
  /** Stops after the round in flight, gives up the leadership and the listener. Idempotent. */
  stop(): Promise<void>;
  /** Counters and state. */
  status(): RelayStatus;
  /** Rows waiting in the outbox (committed, not yet published). */
  pending(): Promise<number>;
}

/**
 * A relay that runs inside the service and publishes committed outbox rows in order through an
 * events transport, then deletes (or archives) them.
 *
 * - Woken by `LISTEN/NOTIFY` after each commit, with polling as the fallback (a NOTIFY can be
 *   missed, and does not cross pglite-socket).
 * - Replicas with the same `name` elect one leader through a PostgreSQL advisory lock; when the
 *   leader dies its lock goes with its connection and another replica takes over within
 *   `leaderRetryMs`. One publisher at a time keeps per-key order; within a round, one key's
 *   events are published one at a time, different keys in parallel.
 * - Transport or database down: the round fails, the relay waits (capped exponential backoff
 *   with jitter) and resumes; rows stay in the outbox, nothing is lost.
 * - A crash between publish and delete publishes again on restart: the broker's duplicate
 *   window (`Nats-Msg-Id` = event id) and the consumers' inbox absorb it.
 * - A row that cannot be published (corrupt attributes, data failing its schema, a
 *   non-retryable transport refusal) goes to `milkyway_outbox_dead_letter` with the reason;
 *   the relay goes on.
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 * import { createMemoryBroker } from '@milkyway/events';
 * import { createRelay, type Database } from '@milkyway/postgres';
 *
 * declare const db: Database;
 * const service = createService({ name: 'orders', version: '1.0.0' });
 * const relay = createRelay({ db, transport: createMemoryBroker().connect() });
 * await relay.start();
 * service.onClose(() => relay.stop());
 * ```
 */
export function createRelay(options: RelayOptions): Relay {
  const { db, transport } = options;
  const name = `milkyway.relay.${options.name ?? 'default'}`;
  const batchSize = options.batchSize ?? 256;
  const concurrency = options.concurrency ?? batchSize;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const leaderRetryMs = options.leaderRetryMs ?? 1_000;
  const minBackoff = options.backoff?.minMs ?? 100;
  const maxBackoff = options.backoff?.maxMs ?? 30_000;
  const archive = options.retention === 'archive';
  const logger = options.logger ?? silentLogger;
  const topics = new Map((options.topics ?? []).map((t) => [t.type, t]));

  const counters = {
    published: 0,
    deadLettered: 0,
    failures: 0,
    lastError: undefined as string | undefined,
  };
  let loop: Promise<void> | undefined;
  /** Published rows whose delete rides on the next read (see `settle`). */
  let toDelete: string[] = [];
  let stopping = false;
  let lock: DatabaseLock | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let waiter: { finish: () => void; byNotify: boolean } | undefined;
  let woken = false;

  /** Waits up to `ms`; a NOTIFY ends the wait early when `byNotify`; stop always does. */
  const pause = (ms: number, byNotify: boolean) =>
    new Promise<void>((resolve) => {
      if (stopping || (byNotify && woken)) {
        if (byNotify) woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        waiter = undefined;
        resolve();
      }
      waiter = { finish, byNotify };
    });
  const signal = () => {
    woken = true;
    if (waiter?.byNotify) {
      woken = false;
      waiter.finish();
    }
  };

  async function becomeLeader(): Promise<boolean> {
    if (lock && !lock.signal.aborted) return true;
    if (lock) {
      logger.warn({ relay: name }, 'postgres relay: leadership lost (its connection broke)');
      await dropLeadership();
    }
    lock = await db.tryLock(name);
    if (!lock) return false;
    if (options.notify !== false) {
      unlisten = await db
        .listen(OUTBOX_CHANNEL, signal, () => {
          unlisten = undefined;
        })
        .catch((error: unknown) => {
          logger.warn({ err: error }, 'postgres relay: LISTEN failed; polling only');
          return undefined;
        });
    }
    return true;
  }

  async function dropLeadership() {
    if (toDelete.length > 0) {
      const ids = toDelete;
      toDelete = [];
      await db
        .query('DELETE FROM milkyway_outbox WHERE id = ANY($1::bigint[])', [ids])
        .catch(() => {});
    }
    const [u, l] = [unlisten, lock];
    unlisten = undefined;
    lock = undefined;
    await u?.().catch(() => {});
    await l?.release().catch(() => {});
  }

  async function deadLetter(rows: ReadonlyArray<{ row: OutboxRow; reason: string }>) {
    if (rows.length === 0) return;
    await db.transaction(async (tx) => {
      await tx.query(
        `WITH moved AS (
  DELETE FROM milkyway_outbox WHERE id = ANY($1::bigint[])
  RETURNING id, destination, key, sequence, attributes, data, created_at
)
INSERT INTO milkyway_outbox_dead_letter (id, destination, key, sequence, attributes, data, created_at, reason)
SELECT m.id, m.destination, m.key, m.sequence, m.attributes, m.data, m.created_at, r.reason
FROM moved m JOIN jsonb_to_recordset($2::jsonb) AS r(id bigint, reason text) ON r.id = m.id
ON CONFLICT (id) DO NOTHING`,
        [
          rows.map((r) => r.row.id),
          JSON.stringify(rows.map((r) => ({ id: r.row.id, reason: r.reason }))),
        ],
      );
    });
    counters.deadLettered += rows.length;
    for (const { row, reason } of rows) {
      logger.warn({ outboxId: row.id, reason }, 'postgres relay: outbox row dead-lettered');
    }
  }

  async function settle(published: DecodedRow[], more: boolean) {
    const done = published.filter((d): d is Extract<DecodedRow, { ok: true }> => d.ok);
    if (done.length === 0) return;
    const ids = done.map((d) => d.row.id);
    if (!archive) {
      // A full round is followed by another at once: its read deletes these in the same
      // statement (one round trip less per batch). Otherwise delete now.
      if (more) toDelete.push(...ids);
      else await db.query('DELETE FROM milkyway_outbox WHERE id = ANY($1::bigint[])', [ids]);
      return;
    }
    const entries: LogEntry[] = done.map(({ envelope, row }) => ({
      source: envelope.attributes.source,
      id: envelope.attributes.id,
      type: envelope.attributes.type,
      key: row.key,
      attributes: envelope.attributes,
      data: row.data,
    }));
    await db.transaction(async (tx) => {
      await lockEventLog(tx);
      await appendToLog(tx, entries);
      await tx.query('DELETE FROM milkyway_outbox WHERE id = ANY($1::bigint[])', [ids]);
    });
  }

  /** One round: read, publish (per key in order), settle. Returns rows read. */
  async function round(): Promise<number> {
    const carried = toDelete;
    toDelete = [];
    let rows: OutboxRow[];
    try {
      // ORDER BY the table's bigint column: the output column `id` is text and would sort '15' before '9'.
      ({ rows } = await db.query<OutboxRow>(
        carried.length === 0
          ? `${READ} ORDER BY milkyway_outbox.id LIMIT $1`
          : `WITH done AS (DELETE FROM milkyway_outbox WHERE id = ANY($2::bigint[]))
${READ} WHERE NOT (milkyway_outbox.id = ANY($2::bigint[])) ORDER BY milkyway_outbox.id LIMIT $1`,
        carried.length === 0 ? [batchSize] : [batchSize, carried],
      ));
    } catch (error) {
      toDelete = carried.concat(toDelete);
      throw error;
    }
    if (rows.length === 0) return 0;
    const decoded = rows.map((row) => decodeRow(row, topics));
    const corrupt: Array<{ row: OutboxRow; reason: string }> = [];
    const lanes = new Map<string, DecodedRow[]>();
    decoded.forEach((d, i) => {
      if (!d.ok) {
        corrupt.push(d);
        return;
      }
      const lane = d.row.key === null ? `\u0000${i}` : d.row.key;
      const list = lanes.get(lane);
      if (list) list.push(d);
      else lanes.set(lane, [d]);
    });
    const published: DecodedRow[] = [];
    let firstError: unknown;
    const queue = [...lanes.values()];
    const worker = async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const d of lane) {
          if (!d.ok) continue;
          try {
            await transport.publish(d.row.destination, d.envelope);
            published.push(d);
          } catch (error) {
            if ((error as { retryable?: unknown }).retryable === false) {
              corrupt.push({ row: d.row, reason: `the transport refused it: ${messageOf(error)}` });
              continue;
            }
            firstError ??= error;
            break; // the rest of this key waits for the next round, in order
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    counters.published += published.length;
    await settle(published, rows.length === batchSize && firstError === undefined);
    await deadLetter(corrupt);
    if (firstError !== undefined) {
      const failed = rows.length - published.length - corrupt.length;
      await db
        .query(
          'UPDATE milkyway_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])',
          [
            rows.filter((r) => !published.some((p) => p.row.id === r.id)).map((r) => r.id),
            messageOf(firstError).slice(0, 1_000),
          ],
        )
        .catch(() => {});
      throw Object.assign(
        new Error(`publishing failed for ${failed} event(s): ${messageOf(firstError)}`),
        {
          cause: firstError,
        },
      );
    }
    return rows.length;
  }

  async function run() {
    while (!stopping) {
      try {
        if (!(await becomeLeader())) {
          await pause(leaderRetryMs, false);
          continue;
        }
        woken = false;
        const read = await round();
        if (counters.failures > 0) logger.info({ relay: name }, 'postgres relay: publishing again');
        counters.failures = 0;
        counters.lastError = undefined;
        if (read === 0) await pause(pollIntervalMs, true);
      } catch (error) {
        counters.failures++;
        counters.lastError = messageOf(error);
        logger.warn(
          { err: error, failures: counters.failures },
          'postgres relay: round failed; backing off',
        );
        await pause(backoffDelay(counters.failures, minBackoff, maxBackoff), false);
      }
    }
    await dropLeadership();
  }

  return {
    async start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      waiter?.finish();
      await loop;
      loop = undefined;
    },
    status: () => ({
      running: loop !== undefined && !stopping,
      leader: lock !== undefined && !lock.signal.aborted,
      published: counters.published,
      deadLettered: counters.deadLettered,
      failures: counters.failures,
      ...(counters.lastError ? { lastError: counters.lastError } : {}),
    }),
    async pending() {
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM milkyway_outbox',
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
