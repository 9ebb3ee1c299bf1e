import { createEventBus, createMemoryBroker } from '@milkyway/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOutbox,
  createProjector,
  createRelay,
  type Database,
  defineProjection,
  migrate,
  type Relay,
} from '../src/index.js';
import { engines, eventually, useEngine } from './support/databases.js';
import { orderPlaced } from './support/fixtures.js';

const outbox = createOutbox({ source: '/orders' });

/** Per order: how many events, the sum and the last of their `seq`. */
const orderTotals = defineProjection({
  name: 'order-totals',
  topics: [orderPlaced],
  tables: ['order_totals'],
  async setup(tx, t) {
    await tx.query(
      `CREATE TABLE ${t.order_totals} (order_id text PRIMARY KEY, events integer NOT NULL, seq_sum bigint NOT NULL, last_seq integer NOT NULL)`,
    );
  },
  async apply(tx, event, t) {
    await tx.query(
      `INSERT INTO ${t.order_totals} VALUES ($1, 1, $2::integer, $2::integer)
ON CONFLICT (order_id) DO UPDATE SET events = ${t.order_totals}.events + 1, seq_sum = ${t.order_totals}.seq_sum + $2::integer, last_seq = $2::integer`,
      [event.data.orderId, event.data.seq],
    );
  },
});

describe.each(engines)('projections on $name', (engine) => {
  const schema = useEngine(engine);
  let db: Database;
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    if (!engine.available) return;
    db = schema().db;
    await migrate(db);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const startRelay = async (retention: 'delete' | 'archive') => {
    const broker = createMemoryBroker();
    const relay: Relay = createRelay({
      db,
      transport: broker.connect(),
      pollIntervalMs: 50,
      retention,
    });
    await relay.start();
    cleanups.push(() => relay.stop());
    return { broker, relay };
  };
  const produce = async (count: number) => {
    for (let i = 1; i <= count; i++) {
      await db.transaction((tx) =>
        outbox.enqueue(tx, orderPlaced, { orderId: `o-${i % 4}`, seq: i }),
      );
    }
  };
  const snapshot = async () =>
    (await db.query('SELECT * FROM order_totals ORDER BY order_id')).rows;

  it('a projection rebuilt from zero equals the one kept up to date live', async () => {
    const { broker } = await startRelay('delete');
    const projector = createProjector(db, orderTotals, { batchSize: 7 });
    await projector.start();
    const bus = createEventBus({ source: '/reports', transport: broker.connect() });
    await bus.subscribe(orderPlaced, (event) => projector.handle(event), {
      group: 'reports',
      ordering: 'none',
    });
    cleanups.push(() => bus.close());

    await produce(30);
    await eventually(
      async () =>
        (await projector.lag()).position !== '0' &&
        (await snapshot()).reduce((n, r) => n + Number(r.events), 0) === 30,
      '30 events applied live',
    );
    const live = await snapshot();

    expect(await projector.rebuild()).toBe(2);
    expect(await snapshot()).toEqual(live);
    expect(await projector.lag()).toMatchObject({ generation: 2, behind: 0 });
    const { rows } = await db.query("SELECT to_regclass('order_totals_g1') AS old");
    expect(rows).toEqual([{ old: null }]);
  });

  it('reports its lag behind the event log and catches up', async () => {
    const { relay } = await startRelay('archive');
    const projector = createProjector(db, orderTotals);
    await projector.start();
    await produce(5);
    await eventually(async () => (await relay.pending()) === 0, 'the relay to archive the events');
    const behind = await projector.lag();
    expect(behind).toMatchObject({ generation: 1, position: '0', behind: 5 });
    expect(behind.lagMs).toBeGreaterThanOrEqual(0);
    expect(await projector.catchUp()).toBe(5);
    expect(await projector.lag()).toMatchObject({ behind: 0, lagMs: 0 });
    expect((await snapshot()).map((r) => [r.order_id, Number(r.events)])).toEqual([
      ['o-0', 1],
      ['o-1', 2],
      ['o-2', 1],
      ['o-3', 1],
    ]);
  });

  it('a redelivered event changes the projection once', async () => {
    const projector = createProjector(db, orderTotals);
    await projector.start();
    const event = {
      topic: orderPlaced,
      type: orderPlaced.type,
      id: 'e-1',
      source: '/orders',
      subject: undefined,
      time: new Date(0).toISOString(),
      key: 'o-1',
      data: { orderId: 'o-1', seq: 1 },
      attributes: { specversion: '1.0', id: 'e-1', source: '/orders', type: orderPlaced.type },
    } as const;
    await projector.handle(event);
    await projector.handle(event);
    expect((await snapshot()).map((r) => Number(r.events))).toEqual([1]);
  });
});
