import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type CloudEventEnvelope, createEventBus, createMemoryBroker } from '@milkyway/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, type Database, migrate, postgresInbox } from '../src/index.js';
import { createPgPool, pgDatabase } from '../src/pg.js';
import {
  createTestDatabase,
  eventually,
  postgresAvailable,
  type TestDatabase,
} from './support/databases.js';
import { EFFECTS_TABLE, orderPlaced } from './support/fixtures.js';

const RELAY = fileURLToPath(new URL('./support/relay-process.ts', import.meta.url));
const EVENTS = 5_000;

describe.runIf(postgresAvailable)(
  'a relay process killed with SIGKILL while events are produced',
  () => {
    let test: TestDatabase;
    let db: Database;
    beforeAll(async () => {
      test = await createTestDatabase('relay_crash');
      db = pgDatabase(createPgPool({ connectionString: test.url, max: 8 }));
      await migrate(db);
      await db.query(EFFECTS_TABLE);
    });
    afterAll(async () => {
      await db?.close();
      await test?.drop();
    });

    it('delivers every event to the consumers, applies each effect once and loses none', async () => {
      const broker = createMemoryBroker({ maxEntries: 20_000 });
      const brokerSide = broker.connect();
      const bus = createEventBus({ source: '/catalog', transport: broker.connect() });
      let deliveries = 0;
      await bus.subscribe(
        orderPlaced,
        async (event, { tx }) => {
          deliveries++;
          await tx.query('INSERT INTO effects (key, seq, event_id) VALUES ($1, $2, $3)', [
            event.data.orderId,
            event.data.seq,
            event.id,
          ]);
        },
        { group: 'catalog', inbox: postgresInbox(db), ordering: 'none', maxInFlight: 32 },
      );

      // The relay child: killed at a random point, right after the broker took a message and before
      // the relay heard so (the crash between "published" and "marked"), then started again.
      let published = 0;
      let kills = 0;
      let killAt = 300 + Math.floor(Math.random() * 700);
      let child: ChildProcess | undefined;
      let stopping = false;
      const spawnRelay = () => {
        const proc = fork(RELAY, [test.url], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        proc.on('error', () => {}); // an IPC write to a killed relay; see the ack below
        proc.on(
          'message',
          async (m: {
            id?: number;
            destination: string;
            attributes: CloudEventEnvelope['attributes'];
            data: string;
          }) => {
            if (m.id === undefined) return;
            await brokerSide.publish(m.destination, {
              attributes: m.attributes,
              data: Buffer.from(m.data, 'base64'),
            });
            published++;
            if (published >= killAt && proc === child) {
              kills++;
              killAt = published + 300 + Math.floor(Math.random() * 700);
              proc.kill('SIGKILL');
              if (!stopping) child = spawnRelay();
              return;
            }
            // The relay may have been killed since it sent this message: then the ack is lost,
            // exactly like a crash right after the broker took the event (EPIPE is expected).
            if (proc.connected) proc.send({ ack: m.id }, () => {});
          },
        );
        return proc;
      };
      child = spawnRelay();

      const outbox = createOutbox({ source: '/orders' });
      const writers = 4;
      const perTransaction = 10;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = w * perTransaction; i < EVENTS; i += writers * perTransaction) {
            await db.transaction(async (tx) => {
              for (let j = i; j < i + perTransaction; j++) {
                await outbox.enqueue(tx, orderPlaced, { orderId: `o-${j % 50}`, seq: j });
              }
            });
          }
        }),
      );

      try {
        await eventually(
          async () =>
            Number(
              (await db.query<{ n: string }>('SELECT count(*)::text AS n FROM effects')).rows[0]!.n,
            ) >= EVENTS,
          `${EVENTS} effects`,
          90_000,
        );
        await eventually(
          async () =>
            Number(
              (await db.query<{ n: string }>('SELECT count(*)::text AS n FROM milkyway_outbox'))
                .rows[0]!.n,
            ) === 0,
          'the outbox to drain',
          30_000,
        );
      } finally {
        stopping = true;
        child?.kill('SIGKILL');
        await bus.close();
      }

      const { rows } = await db.query<{ effects: string; events: string; seqs: string }>(
        'SELECT count(*)::text AS effects, count(DISTINCT event_id)::text AS events, count(DISTINCT seq)::text AS seqs FROM effects',
      );
      expect(rows[0]).toEqual({
        effects: String(EVENTS),
        events: String(EVENTS),
        seqs: String(EVENTS),
      });
      expect(kills).toBeGreaterThan(0);
      // Each kill left one published-but-unmarked batch behind: it was published again and the
      // inbox absorbed the duplicates.
      expect(published).toBeGreaterThan(EVENTS);
      expect(deliveries).toBeGreaterThanOrEqual(EVENTS);
    }, 180_000);
  },
);
