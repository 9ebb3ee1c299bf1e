import type { Database } from '../sql-client.js';

/**
 * Deletes event-log entries older than `olderThanMs` — the log's retention. Projections rebuild
 * from what the log still holds, so keep it as long as a rebuild must reach back (forever, for
 * a complete rebuild). Returns how many entries went.
 *
 * @example
 * ```ts
 * import { pruneEventLog, type Database } from '@milkyway/postgres';
 *
 * declare const db: Database;
 * await pruneEventLog(db, { olderThanMs: 90 * 24 * 3_600_000 });
 * ```
 */
export async function pruneEventLog(
  db: Database,
  options: { olderThanMs: number },
): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `WITH gone AS (DELETE FROM milkyway_event_log WHERE recorded_at < now() - make_interval(secs => $1) RETURNING 1)
SELECT count(*)::text AS n FROM gone`,
    [options.olderThanMs / 1000],
  );
  return Number(rows[0]?.n ?? 0);
}
