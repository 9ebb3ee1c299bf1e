import { LOCK_CLASS } from '../drivers/lock-key.js';
import type { SqlClient } from '../sql-client.js';

/**
 * Takes the event log's append lock for the rest of the transaction. Appends are serialised so
 * that positions become visible in order: a reader that saw position n never later finds a
 * smaller one committing behind it (what lets projections keep a single checkpoint).
 */
export async function lockEventLog(tx: SqlClient): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock($1, hashtext('milkyway.event_log'))", [LOCK_CLASS]);
}

/** One event as stored in `milkyway_event_log`. */
export interface LogEntry {
  source: string;
  id: string;
  type: string;
  key: string | null;
  attributes: object;
  data: string;
}

/** Appends events (in order) unless already there (same source and id); needs {@link lockEventLog} first. */
export async function appendToLog(tx: SqlClient, entries: readonly LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO milkyway_event_log (source, event_id, type, key, attributes, data)
SELECT e.source, e.id, e.type, e.key, e.attributes, e.data
FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (source text, id text, type text, key text, attributes jsonb, data text))
  WITH ORDINALITY AS e(source, id, type, key, attributes, data, n)
ORDER BY n
ON CONFLICT (source, event_id) DO NOTHING`,
    [JSON.stringify(entries)],
  );
}
