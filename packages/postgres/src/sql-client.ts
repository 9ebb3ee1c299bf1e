/**
 * The one small SQL interface every part of this package runs on: a parameterised query that
 * returns rows. A `pg` Pool, a `pg` PoolClient inside `BEGIN`, a PGlite instance or a PGlite
 * transaction all satisfy it (structurally), and so does a thin wrapper around a Kysely or
 * Drizzle transaction (see docs/data.md).
 *
 * @example
 * ```ts
 * import type { SqlClient } from '@milkyway/postgres';
 *
 * async function countOrders(sql: SqlClient): Promise<number> {
 *   const { rows } = await sql.query<{ n: string }>('SELECT count(*) AS n FROM orders WHERE status = $1', ['placed']);
 *   return Number(rows[0]?.n ?? 0);
 * }
 * ```
 */
export interface SqlClient {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<Row = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: Row[]; rowCount?: number | null; affectedRows?: number }>;
}

/**
 * A session-level lock held on a dedicated connection (a PostgreSQL advisory lock): the relay's
 * leadership. `signal` aborts when the lock is lost (its connection broke); `release()` gives
 * it up.
 *
 * @example
 * ```ts
 * import type { Database } from '@milkyway/postgres';
 *
 * declare const db: Database;
 * const lock = await db.tryLock('nightly-report');
 * if (lock) {
 *   try { await db.query('SELECT 1'); } finally { await lock.release(); }
 * }
 * ```
 */
export interface DatabaseLock {
  /** Aborts when the lock is lost (its connection broke or was terminated). */
  readonly signal: AbortSignal;
  /** Releases the lock and its connection. Idempotent. */
  release(): Promise<void>;
}

/**
 * A database as this package uses it: queries, transactions, advisory locks, notifications,
 * readiness and close. Create one with `pgDatabase(pool)` (`@milkyway/postgres/pg`) or
 * `pgliteDatabase(pglite)` (`@milkyway/postgres/pglite`). Connection failures surface as
 * {@link DatabaseUnavailableError} (a 503 problem).
 *
 * @example
 * ```ts
 * import type { Database } from '@milkyway/postgres';
 *
 * declare const db: Database;
 * const orderId = await db.transaction(async (tx) => {
 *   const { rows } = await tx.query<{ id: string }>('INSERT INTO orders (sku) VALUES ($1) RETURNING id', ['sku-1']);
 *   return rows[0]!.id;
 * });
 * ```
 */
export interface Database extends SqlClient {
  /** `pg` (node-postgres, also PGlite reached through pglite-socket) or `pglite` (in-process). */
  readonly driver: 'pg' | 'pglite';
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws
   * (the error is rethrown; connection failures as {@link DatabaseUnavailableError}).
   */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Tries to take the session advisory lock `name` on a dedicated connection; `undefined` when another session holds it. */
  tryLock(name: string): Promise<DatabaseLock | undefined>;
  /**
   * Listens to `NOTIFY channel` on a dedicated connection. Resolves to a function that stops
   * listening. `onLost` is called when the listening connection breaks (notifications may then
   * be missed: callers keep a polling fallback).
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onLost?: (error: Error) => void,
  ): Promise<() => Promise<void>>;
  /** Resolves when the database answers `SELECT 1`; rejects when not or when `signal` aborts. */
  ping(signal?: AbortSignal): Promise<void>;
  /** Closes the pool (or the PGlite instance when this wrapper owns it). Idempotent. */
  close(): Promise<void>;
}
