import type { Database } from '../sql-client.js';

/**
 * Options of {@link databaseReadiness}.
 *
 * @example
 * ```ts
 * import type { ReadinessOptions } from '@milkyway/postgres';
 *
 * const options: ReadinessOptions = { timeoutMs: 500 };
 * ```
 */
export interface ReadinessOptions {
  /** Upper bound of one check (ms, default 1 000), on top of the caller's signal. */
  timeoutMs?: number;
}

/**
 * A readiness check for `service.readiness(name, check)`: `SELECT 1`, failing when the database
 * does not answer within `timeoutMs` (or the caller's signal aborts first). Never hangs.
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 * import { databaseReadiness } from '@milkyway/postgres';
 * import { createPgPool, pgDatabase } from '@milkyway/postgres/pg';
 *
 * const db = pgDatabase(createPgPool({ connectionString: process.env.DATABASE_URL }));
 * const service = createService({ name: 'orders', version: '1.0.0' });
 * service.readiness('postgres', databaseReadiness(db, { timeoutMs: 500 }));
 * service.onClose(() => db.close());
 * ```
 */
export function databaseReadiness(
  db: Database,
  options: ReadinessOptions = {},
): (signal?: AbortSignal) => Promise<void> {
  const timeoutMs = options.timeoutMs ?? 1_000;
  return (signal) => {
    const bound = AbortSignal.timeout(timeoutMs);
    return db.ping(signal ? AbortSignal.any([signal, bound]) : bound);
  };
}
