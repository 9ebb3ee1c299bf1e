import net from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type Database,
  DatabaseUnavailableError,
  databaseReadiness,
  migrate,
  migrations,
} from '../src/index.js';
import { createPgPool, pgDatabase } from '../src/pg.js';
import { engines, eventually, useEngine } from './support/databases.js';

describe.each(engines)('the database layer on $name', (engine) => {
  const schema = useEngine(engine);
  let db: Database;
  beforeEach(() => {
    if (engine.available) db = schema().db;
  });

  it('migrate applies every migration once and then has nothing to do', async () => {
    expect(await migrate(db)).toEqual({ applied: migrations.map((m) => m.version) });
    expect(await migrate(db)).toEqual({ applied: [] });
  });

  it('concurrent migrate calls apply each migration exactly once', async () => {
    const results = await Promise.all([migrate(db), migrate(db), migrate(db)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.version));
  });

  it('a transaction commits when its work resolves and rolls back when it throws', async () => {
    await db.query('CREATE TABLE t (v int)');
    await db.transaction((tx) => tx.query('INSERT INTO t VALUES (1)'));
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (2)');
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const { rows } = await db.query<{ v: number }>('SELECT v FROM t');
    expect(rows).toEqual([{ v: 1 }]);
  });

  it('an advisory lock is held by one holder until released', async () => {
    const first = await db.tryLock('relay');
    expect(first).toBeDefined();
    expect(await db.tryLock('relay')).toBeUndefined();
    await first!.release();
    const second = await db.tryLock('relay');
    expect(second).toBeDefined();
    await second!.release();
  });

  it('a listener receives a notification once the notifying transaction commits', async () => {
    const received: string[] = [];
    const stop = await db.listen('milkyway_test', (payload) => received.push(payload));
    await db.transaction((tx) => tx.query("SELECT pg_notify('milkyway_test', 'hello')"));
    await eventually(() => received.length === 1, 'the notification');
    expect(received).toEqual(['hello']);
    await stop();
  });

  it('the readiness check passes while the database answers', async () => {
    await expect(databaseReadiness(db)()).resolves.toBeUndefined();
  });
});

describe('the database layer when PostgreSQL cannot be reached', () => {
  it('a query fails with a DatabaseUnavailableError (503) when the connection is refused', async () => {
    const closedPort = await freePort();
    const db = pgDatabase(
      createPgPool({ connectionString: `postgres://postgres@127.0.0.1:${closedPort}/x` }),
    );
    const error = await db.query('SELECT 1').catch((e: unknown) => e);
    expect(DatabaseUnavailableError.is(error)).toBe(true);
    expect(error).toMatchObject({
      status: 503,
      reason: 'connection refused',
      headers: { 'retry-after': '2' },
    });
    await db.close();
  });

  it('the readiness check fails within its timeout when the server never answers', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const db = pgDatabase(
      createPgPool({
        connectionString: `postgres://postgres@127.0.0.1:${port}/x`,
        connectTimeoutMs: 1_000,
      }),
    );
    await expect(databaseReadiness(db, { timeoutMs: 100 })()).rejects.toThrow(/timeout|abort/i);
    await db.close();
    silent.close();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
