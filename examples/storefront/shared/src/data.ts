/**
 * Each service's own database, chosen by the environment:
 *
 * - `DATABASE_URL` set: PostgreSQL. Services may share one server (and one database); each one
 *   keeps its tables in its OWN SCHEMA, `DATABASE_SCHEMA` (default `storefront_<service>`),
 *   created if missing and set as the `search_path` of every connection. No service reads
 *   another's schema: they only talk through events and HTTP.
 * - otherwise PGlite, PostgreSQL embedded in the process: persisted in the folder `DATA_DIR`
 *   when set (the runner gives each service its own folder per run, so a killed service
 *   restarts with its data), in memory when not.
 *
 * Then the package's tables (outbox, inbox, event log) are migrated, and the service's own
 * schema statements run (idempotent `CREATE ... IF NOT EXISTS`).
 */
import { mkdirSync } from 'node:fs';
import type { CloudEventEnvelope } from '@milkyway/events';
import type { createLogger } from '@milkyway/observability';
import { type Database, databaseReadiness, migrate, type SqlClient } from '@milkyway/postgres';
import { env } from './service-kit.js';

/** A service's open database and how it was chosen (for logs). */
export interface ServiceDatabase {
  db: Database;
  /** `postgres (schema storefront_orders)`, `pglite (./data)` or `pglite (in memory)`. */
  where: string;
  /** A stable name for this database's advisory locks (relay leadership per schema). */
  lockScope: string;
}

type Logger = ReturnType<typeof createLogger>;

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens (and migrates) the service's database: PostgreSQL with DATABASE_URL, else PGlite. */
export async function openDatabase(
  service: string,
  logger: Logger,
  schema: (tx: SqlClient) => Promise<void>,
): Promise<ServiceDatabase> {
  const url = process.env.DATABASE_URL;
  let opened: ServiceDatabase;
  if (url) {
    const name = env('DATABASE_SCHEMA', `storefront_${service}`);
    if (!IDENT.test(name)) throw new Error(`DATABASE_SCHEMA ${name} is not a plain identifier`);
    const { createPgPool, pgDatabase } = await import('@milkyway/postgres/pg');
    // Create the schema first (a connection whose search_path names a missing schema works,
    // but tables would land nowhere).
    const bootstrap = pgDatabase(createPgPool({ connectionString: url, max: 1 }));
    try {
      await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${name}`);
    } catch (error) {
      // Two processes creating it at once: the loser sees a unique violation; it exists now.
      if ((error as { code?: string }).code !== '23505') throw error;
    } finally {
      await bootstrap.close();
    }
    const pool = createPgPool({
      connectionString: url,
      max: 10,
      statementTimeoutMs: 10_000,
      connectTimeoutMs: 2_000,
      options: `-c search_path=${name}`,
    });
    opened = {
      db: pgDatabase(pool, { logger }),
      where: `postgres (schema ${name})`,
      lockScope: name,
    };
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const { pgliteDatabase } = await import('@milkyway/postgres/pglite');
    const dir = process.env.DATA_DIR;
    if (dir) mkdirSync(dir, { recursive: true });
    const pglite = dir ? await PGlite.create(dir) : await PGlite.create();
    opened = {
      db: pgliteDatabase(pglite),
      where: dir ? `pglite (${dir})` : 'pglite (in memory)',
      lockScope: service,
    };
  }
  await migrate(opened.db);
  await opened.db.transaction(async (tx) => {
    await tx.query(`CREATE TABLE IF NOT EXISTS dead_letters (
  id bigserial PRIMARY KEY,
  destination text NOT NULL,
  event_id text NOT NULL,
  attributes jsonb NOT NULL,
  data text NOT NULL,
  dead_lettered_at timestamptz NOT NULL DEFAULT now()
)`);
    await schema(tx);
  });
  logger.info({ database: opened.where }, `${service}: database ready`);
  return opened;
}

/** The readiness check of a database: `SELECT 1` within half a second. */
export const databaseReady = (db: Database) => databaseReadiness(db, { timeoutMs: 500 });

/**
 * Keeps the consumers' dead letters in the service's own `dead_letters` table (HTTP push has no
 * broker to hold them): an event its consumer gave up on is stored there with the reason in
 * its data, and the sender is answered so it stops retrying.
 */
export function storeDeadLetters(db: Database) {
  return async (destination: string, envelope: CloudEventEnvelope) => {
    await db.query(
      'INSERT INTO dead_letters (destination, event_id, attributes, data) VALUES ($1, $2, $3::jsonb, $4)',
      [
        destination,
        envelope.attributes.id,
        JSON.stringify(envelope.attributes),
        new TextDecoder().decode(envelope.data),
      ],
    );
  };
}

/**
 * Housekeeping every `everyMs` (default hourly): `prune` forgets what no redelivery can need any
 * more (inbox records older than 14 days, expired idempotency records...). Returns the stop.
 */
export function housekeeping(
  logger: Logger,
  prune: () => Promise<unknown>,
  everyMs = 60 * 60_000,
): () => void {
  const run = () =>
    prune().catch((error: unknown) => logger.warn({ err: error }, 'housekeeping failed'));
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** How long inbox records are kept: longer than any redelivery can arrive. */
export const INBOX_RETENTION_MS = 14 * 24 * 60 * 60_000;
