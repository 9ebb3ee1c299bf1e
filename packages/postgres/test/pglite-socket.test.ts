import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createMemoryBroker } from '@milkyway/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, createRelay, type Database, migrate } from '../src/index.js';
import { createPgPool, pgDatabase } from '../src/pg.js';
import { eventually } from './support/databases.js';
import { orderPlaced } from './support/fixtures.js';

describe('a shared PGlite behind pglite-socket', () => {
  let pglite: PGlite;
  let server: PGLiteSocketServer;
  let db: Database;
  beforeAll(async () => {
    pglite = await PGlite.create();
    server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1', maxConnections: 8 });
    await server.start();
    const port = Number(server.getServerConn().split(':').pop());
    db = pgDatabase(
      createPgPool({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, max: 4 }),
    );
    await migrate(db);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await server?.stop();
    await pglite?.close();
  });

  it('the relay still publishes: polling covers the notifications that do not cross the socket', async () => {
    const broker = createMemoryBroker();
    const received: string[] = [];
    const sub = await broker.connect().subscribe(
      {
        destinations: [orderPlaced.destination],
        group: 'audit',
        maxInFlight: 10,
        ackDeadlineMs: 30_000,
        maxDeliver: 5,
      },
      (d) => {
        if (d.message.ok) received.push(d.message.envelope.attributes.id);
        void d.ack();
      },
    );
    const relay = createRelay({ db, transport: broker.connect(), pollIntervalMs: 50 });
    await relay.start();
    try {
      const outbox = createOutbox({ source: '/orders' });
      const sent = await db.transaction((tx) =>
        outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', seq: 1 }),
      );
      await eventually(
        async () => received.length === 1 && (await relay.pending()) === 0,
        'the event through polling',
      );
      expect(received).toEqual([sent.attributes.id]);
    } finally {
      await relay.stop();
      await sub.stop();
    }
  });
});
