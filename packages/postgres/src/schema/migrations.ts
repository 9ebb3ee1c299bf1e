/**
 * One versioned schema change of this package: its statements run in order, in one
 * transaction, by `migrate()`; or hand `sql` to your own migration tool.
 *
 * @example
 * ```ts
 * import { migrations, type Migration } from '@milkyway/postgres';
 *
 * const first: Migration = migrations[0]!;
 * console.warn(first.version, first.name); // 1 'outbox'
 * ```
 */
export interface Migration {
  /** Increasing integer; applied once, recorded in `milkyway_schema_migrations`. */
  readonly version: number;
  /** What it creates, in a word or two. */
  readonly name: string;
  /** The statements, each runnable on its own (PGlite's `query` takes one at a time). */
  readonly statements: readonly string[];
  /** The same statements as one script (`;`-separated), for a migration tool's file. */
  readonly sql: string;
}

function migration(version: number, name: string, statements: string[]): Migration {
  return { version, name, statements, sql: `${statements.join(';\n\n')};\n` };
}

/**
 * The package's tables as versioned migrations (apply them in `version` order):
 * 1 `outbox` (`milkyway_outbox`, `milkyway_outbox_sequences`, `milkyway_outbox_dead_letter`),
 * 2 `inbox` (`milkyway_inbox`, `milkyway_inbox_sequences`),
 * 3 `event log and projections` (`milkyway_event_log`, `milkyway_projections`).
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { migrations } from '@milkyway/postgres';
 *
 * for (const m of migrations) writeFileSync(`V${m.version}__milkyway_${m.name.replaceAll(' ', '_')}.sql`, m.sql);
 * ```
 */
export const migrations: readonly Migration[] = [
  migration(1, 'outbox', [
    `CREATE TABLE milkyway_outbox (
  id bigserial PRIMARY KEY,
  destination text NOT NULL,
  key text,
  sequence bigint,
  attributes jsonb NOT NULL,
  data text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  last_error text
)`,
    `CREATE TABLE milkyway_outbox_sequences (
  key text PRIMARY KEY,
  sequence bigint NOT NULL
)`,
    `CREATE TABLE milkyway_outbox_dead_letter (
  id bigint PRIMARY KEY,
  destination text,
  key text,
  sequence bigint,
  attributes jsonb,
  data text,
  created_at timestamptz,
  reason text NOT NULL,
  dead_at timestamptz NOT NULL DEFAULT now()
)`,
  ]),
  migration(2, 'inbox', [
    `CREATE TABLE milkyway_inbox (
  consumer text NOT NULL,
  source text NOT NULL,
  message_id text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, source, message_id)
)`,
    'CREATE INDEX milkyway_inbox_processed_at ON milkyway_inbox (processed_at)',
    `CREATE TABLE milkyway_inbox_sequences (
  consumer text NOT NULL,
  key text NOT NULL,
  sequence bigint NOT NULL,
  PRIMARY KEY (consumer, key)
)`,
  ]),
  migration(3, 'event log and projections', [
    `CREATE TABLE milkyway_event_log (
  position bigserial PRIMARY KEY,
  source text NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  key text,
  attributes jsonb NOT NULL,
  data text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, event_id)
)`,
    'CREATE INDEX milkyway_event_log_type ON milkyway_event_log (type, position)',
    `CREATE TABLE milkyway_projections (
  name text PRIMARY KEY,
  generation integer NOT NULL,
  position bigint NOT NULL DEFAULT 0,
  last_event_time timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  ]),
];
