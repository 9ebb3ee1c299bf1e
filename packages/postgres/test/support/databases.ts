import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { serviceAvailable } from '../../../../test-support/services.js';
import type { Database } from '../../src/index.js';
import { createPgPool, pgDatabase } from '../../src/pg.js';
import { pgliteDatabase } from '../../src/pglite.js';

export const PG_HOST = '127.0.0.1';
export const PG_PORT = 5432;

/** Whether the real PostgreSQL runs here (skips with a message, or fails under MILKYWAY_REQUIRE_SERVICES=1). */
export const postgresAvailable = await serviceAvailable('postgres', PG_PORT);

const adminUrl = `postgres://postgres@${PG_HOST}:${PG_PORT}/postgres`;

/** A uniquely named database on the real PostgreSQL, dropped by `drop()`. */
export interface TestDatabase {
  name: string;
  url: string;
  /** A URL to the same database through another host/port (e.g. a test proxy). */
  urlVia(port: number): string;
  drop(): Promise<void>;
}

/** Creates a fresh database `mw_<label>_<random>` on 127.0.0.1:5432. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `mw_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: `postgres://postgres@${PG_HOST}:${PG_PORT}/${name}`,
    urlVia: (port) => `postgres://postgres@${PG_HOST}:${port}/${name}`,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A fresh, empty place to run one test: its own schema (search_path) in the file's database. */
export interface TestSchema {
  db: Database;
  /** Connection string whose connections use this schema (real PostgreSQL only). */
  url?: string;
  dispose(): Promise<void>;
}

/** One engine the contract suite runs on. `start()` once per file, `open()` once per test. */
export interface Engine {
  name: 'postgresql' | 'pglite';
  available: boolean;
  start(): Promise<{ open(): Promise<TestSchema>; stop(): Promise<void> }>;
}

let schemas = 0;
const nextSchema = () => `t${process.pid}_${++schemas}`;

export const engines: Engine[] = [
  {
    name: 'postgresql',
    available: postgresAvailable,
    async start() {
      const test = await createTestDatabase('contract');
      return {
        async open() {
          const schema = nextSchema();
          const admin = new pg.Client({ connectionString: test.url });
          await admin.connect();
          await admin.query(`CREATE SCHEMA ${schema}`);
          await admin.end();
          const url = `${test.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
          const db = pgDatabase(createPgPool({ connectionString: url, max: 8 }), {
            lockHeartbeatMs: 200,
          });
          return { db, url, dispose: () => db.close() };
        },
        stop: () => test.drop(),
      };
    },
  },
  {
    name: 'pglite',
    available: true,
    async start() {
      // PGlite takes seconds to start on a busy machine: one instance a file, a schema a test.
      const pglite = await PGlite.create();
      return {
        async open() {
          const schema = nextSchema();
          await pglite.query(`CREATE SCHEMA ${schema}`);
          await pglite.query(`SET search_path TO ${schema}`);
          const db = pgliteDatabase(pglite, { closeOnClose: false });
          return { db, dispose: () => db.close() };
        },
        stop: () => pglite.close(),
      };
    },
  },
];

/** Registers before/after hooks for `engine` and returns a getter of the current test's schema. */
export function useEngine(engine: Engine): () => TestSchema {
  let started: Awaited<ReturnType<Engine['start']>> | undefined;
  let current: TestSchema | undefined;
  beforeAll(async () => {
    if (engine.available) started = await engine.start();
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  beforeEach(async (context) => {
    if (!started) context.skip('PostgreSQL is not reachable on 127.0.0.1:5432');
    current = await started!.open();
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no test schema: call inside a test');
    return current;
  };
}

/** Polls `condition` until it holds, failing with `message` after `timeoutMs` (a bounded wait, not a timing assumption). */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${message}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
