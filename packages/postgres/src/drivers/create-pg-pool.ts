import pg from 'pg';

/**
 * Options of {@link createPgPool}: node-postgres pool settings plus safe defaults.
 *
 * @example
 * ```ts
 * import type { PgPoolOptions } from '@milkyway/postgres/pg';
 *
 * const options: PgPoolOptions = { connectionString: 'postgres://postgres@127.0.0.1:5432/app', max: 10 };
 * ```
 */
export interface PgPoolOptions
  extends Omit<pg.PoolConfig, 'statement_timeout' | 'connectionTimeoutMillis'> {
  /** Server-side `statement_timeout` of every connection (ms, default 30 000; `0` disables). */
  statementTimeoutMs?: number;
  /** How long acquiring a connection may take before it fails (ms, default 5 000). */
  connectTimeoutMs?: number;
  /** Server-side `idle_in_transaction_session_timeout` (ms, default 60 000; `0` disables). */
  idleInTransactionTimeoutMs?: number;
}

/**
 * A node-postgres `Pool` with statement timeouts by default (30 s), a bounded connect (5 s), an
 * idle-in-transaction timeout (60 s, so a stuck transaction cannot hold locks forever) and TCP
 * keep-alive. Pass it to `pgDatabase`.
 *
 * @example
 * ```ts
 * import { createPgPool, pgDatabase } from '@milkyway/postgres/pg';
 *
 * const db = pgDatabase(createPgPool({ connectionString: process.env.DATABASE_URL, max: 10 }));
 * ```
 */
export function createPgPool(options: PgPoolOptions = {}): pg.Pool {
  const {
    statementTimeoutMs = 30_000,
    connectTimeoutMs = 5_000,
    idleInTransactionTimeoutMs = 60_000,
    ...rest
  } = options;
  return new pg.Pool({
    keepAlive: true,
    ...rest,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
    connectionTimeoutMillis: connectTimeoutMs,
  });
}
