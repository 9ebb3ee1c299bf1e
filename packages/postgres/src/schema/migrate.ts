import { LOCK_CLASS } from '../drivers/lock-key.js';
import type { Database } from '../sql-client.js';
import { type Migration, migrations as packageMigrations } from './migrations.js';

/**
 * Options of {@link migrate}.
 *
 * @example
 * ```ts
 * import { migrate, migrations, type MigrateOptions } from '@milkyway/postgres';
 * import type { Database } from '@milkyway/postgres';
 *
 * declare const db: Database;
 * const options: MigrateOptions = { migrations: [...migrations] };
 * await migrate(db, options);
 * ```
 */
export interface MigrateOptions {
  /** The migrations to apply (default: this package's {@link migrations}). */
  migrations?: readonly Migration[];
}

/**
 * What {@link migrate} did.
 *
 * @example
 * ```ts
 * import { migrate, type MigrateResult } from '@milkyway/postgres';
 * import type { Database } from '@milkyway/postgres';
 *
 * declare const db: Database;
 * const { applied }: MigrateResult = await migrate(db);
 * ```
 */
export interface MigrateResult {
  /** Versions applied by this call (empty when the schema was up to date). */
  applied: number[];
}

/**
 * Applies the package's migrations that are not applied yet, in one transaction under an
 * advisory lock: replicas starting together apply each migration once (the others wait, then
 * find nothing to do). Versions are recorded in `milkyway_schema_migrations`.
 *
 * @example
 * ```ts
 * import { migrate } from '@milkyway/postgres';
 * import { pgDatabase, createPgPool } from '@milkyway/postgres/pg';
 *
 * const db = pgDatabase(createPgPool({ connectionString: process.env.DATABASE_URL }));
 * const { applied } = await migrate(db); // [1, 2, 3] the first time, [] afterwards
 * ```
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  const wanted = [...(options.migrations ?? packageMigrations)].sort(
    (a, b) => a.version - b.version,
  );
  return db.transaction(async (tx) => {
    // The lock comes first: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
    await tx.query("SELECT pg_advisory_xact_lock($1, hashtext('milkyway.migrate'))", [LOCK_CLASS]);
    await tx.query(`CREATE TABLE IF NOT EXISTS milkyway_schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`);
    const { rows } = await tx.query<{ version: number }>(
      'SELECT version FROM milkyway_schema_migrations',
    );
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of wanted) {
      if (done.has(m.version)) continue;
      for (const statement of m.statements) await tx.query(statement);
      await tx.query('INSERT INTO milkyway_schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    return { applied };
  });
}
