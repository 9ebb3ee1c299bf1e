import { createService, silentLogger } from '@milkyway/core';
import { expectProblem, testRequest } from '@milkyway/core/testing';
import { createMemoryBroker } from '@milkyway/events';
import { ProblemError } from '@milkyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutbox,
  createRelay,
  type Database,
  DatabaseUnavailableError,
  migrate,
} from '../src/index.js';
import { createPgPool, pgDatabase } from '../src/pg.js';
import {
  createTestDatabase,
  eventually,
  postgresAvailable,
  type TestDatabase,
} from './support/databases.js';
import { orderPlaced } from './support/fixtures.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

describe.runIf(postgresAvailable)('PostgreSQL unreachable for a while', () => {
  let test: TestDatabase;
  let proxy: TcpProxy;
  let db: Database;
  beforeAll(async () => {
    test = await createTestDatabase('outage');
    proxy = await startTcpProxy(5432);
    db = pgDatabase(
      createPgPool({ connectionString: test.urlVia(proxy.port), max: 4, connectTimeoutMs: 500 }),
      {
        lockHeartbeatMs: 100,
      },
    );
    await migrate(db);
  });
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await db?.close();
    await proxy?.close();
    await test?.drop();
  });

  it('writes fail with a 503 problem, the relay waits, and every event is published after the outage', async () => {
    const outbox = createOutbox({ source: '/orders' });
    const broker = createMemoryBroker();
    const received: string[] = [];
    const sub = await broker.connect().subscribe(
      {
        destinations: [orderPlaced.destination],
        group: 'audit',
        maxInFlight: 50,
        ackDeadlineMs: 30_000,
        maxDeliver: 5,
      },
      (d) => {
        if (d.message.ok) received.push(d.message.envelope.attributes.id);
        void d.ack();
      },
    );
    const relay = createRelay({
      db,
      transport: broker.connect(),
      pollIntervalMs: 50,
      leaderRetryMs: 20,
      backoff: { minMs: 10, maxMs: 100 },
    });
    await relay.start();
    cleanups.push(
      () => relay.stop(),
      () => sub.stop(),
    );
    const write = (seq: number) =>
      db.transaction((tx) => outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', seq }));

    const before = await write(1);
    // Published and deleted before the cut (a cut between the two would publish it again: at least once).
    await eventually(
      async () => received.length === 1 && (await relay.pending()) === 0,
      'the first event',
    );

    await proxy.cut();
    const error = await write(2).catch((e: unknown) => e);
    expect(DatabaseUnavailableError.is(error)).toBe(true);
    expect(ProblemError.is(error) && error.status).toBe(503);
    // Through a service, the same failure is a 503 problem with Retry-After (rendered by core).
    const service = createService({ name: 'orders', version: '1.0.0', logger: silentLogger });
    service.post('/orders', async (c) => {
      await write(99);
      return c.json({ ok: true }, 201);
    });
    const res = await testRequest(service, '/orders', { method: 'POST' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(expectProblem(res)).toMatchObject({ status: 503, title: 'Database Unavailable' });
    await eventually(() => relay.status().failures >= 2, 'the relay to notice and back off');

    await proxy.restore();
    await eventually(
      async () =>
        db.ping().then(
          () => true,
          () => false,
        ),
      'the database to answer again',
    );
    const later = await write(3);
    await eventually(
      async () => (await relay.pending()) === 0 && received.length >= 2,
      'the relay to resume and drain',
    );
    expect(received).toEqual([before.attributes.id, later.attributes.id]);
    expect(relay.status().failures).toBe(0);
  });
});
