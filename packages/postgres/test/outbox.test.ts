import {
  type CloudEventAttributes,
  createEventBus,
  createMemoryBroker,
  EventSchemaError,
  type MemoryBroker,
} from '@milkyway/events';
import { context, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOutbox,
  createRelay,
  type Database,
  keyOrder,
  migrate,
  postgresInbox,
  type Relay,
} from '../src/index.js';
import { engines, eventually, useEngine } from './support/databases.js';
import { EFFECTS_TABLE, installContextManager, orderPlaced } from './support/fixtures.js';

const outbox = createOutbox({ source: '/orders' });

describe.each(engines)('the outbox, relay and inbox on $name', (engine) => {
  const schema = useEngine(engine);
  let db: Database;
  let broker: MemoryBroker;
  const relays: Relay[] = [];
  const received: CloudEventAttributes[] = [];
  const stops: Array<() => Promise<void>> = [];

  const startRelay = async (extra: Partial<Parameters<typeof createRelay>[0]> = {}) => {
    const relay = createRelay({
      db,
      transport: broker.connect(),
      pollIntervalMs: 50,
      leaderRetryMs: 20,
      backoff: { minMs: 5, maxMs: 50 },
      topics: [orderPlaced],
      ...extra,
    });
    await relay.start();
    relays.push(relay);
    return relay;
  };
  /** Records every delivery on the order.placed destination (a raw subscriber). */
  const record = async () => {
    const transport = broker.connect();
    const sub = await transport.subscribe(
      {
        destinations: [orderPlaced.destination],
        group: 'recorder',
        maxInFlight: 100,
        ackDeadlineMs: 30_000,
        maxDeliver: 5,
      },
      (delivery) => {
        if (delivery.message.ok) received.push(delivery.message.envelope.attributes);
        void delivery.ack();
      },
    );
    stops.push(() => sub.stop());
  };

  beforeEach(async () => {
    if (!engine.available) return;
    db = schema().db;
    await migrate(db);
    await db.query(EFFECTS_TABLE);
    broker = createMemoryBroker();
    received.length = 0;
  });
  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    for (const stop of stops.splice(0)) await stop();
  });

  it('publishes the events of committed transactions and none of rolled-back ones', async () => {
    await record();
    await startRelay();
    const committed = await db.transaction(async (tx) => [
      await outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', seq: 1 }),
      await outbox.enqueue(tx, orderPlaced, { orderId: 'o-2', seq: 1 }),
    ]);
    await expect(
      db.transaction(async (tx) => {
        await outbox.enqueue(tx, orderPlaced, { orderId: 'o-3', seq: 1 });
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    const relay = relays[0]!;
    await eventually(
      async () => (await relay.pending()) === 0 && received.length >= 2,
      'the outbox to drain',
    );
    expect(received.map((a) => a.id).sort()).toEqual(committed.map((e) => e.attributes.id).sort());
  });

  it('refuses a payload that fails its schema at enqueue, so the transaction rolls back', async () => {
    const error = await db
      .transaction(async (tx) => {
        await outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', seq: 1 });
        // @ts-expect-error: seq must be a number
        await outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', seq: 'two' });
      })
      .catch((e: unknown) => e);
    expect(EventSchemaError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/order\.placed\.v1 refused: seq:/);
    const { rows } = await db.query('SELECT id FROM milkyway_outbox');
    expect(rows).toEqual([]);
  });

  it('stores the CloudEvents attributes, a per-key sequence and the active trace context', async () => {
    const uninstall = installContextManager();
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const active = trace.setSpanContext(context.active(), {
        traceId,
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
      });
      await context.with(active, () =>
        db.transaction(async (tx) => {
          await outbox.enqueue(tx, orderPlaced, { orderId: 'o-9', seq: 1 }, { subject: 'o-9' });
          await outbox.enqueue(tx, orderPlaced, { orderId: 'o-9', seq: 2 });
        }),
      );
      const { rows } = await db.query<{
        key: string;
        sequence: string;
        attributes: CloudEventAttributes;
      }>('SELECT key, sequence::text AS sequence, attributes FROM milkyway_outbox ORDER BY id');
      expect(rows.map((r) => [r.key, r.sequence])).toEqual([
        ['o-9', '1'],
        ['o-9', '2'],
      ]);
      expect(rows[0]!.attributes).toMatchObject({
        specversion: '1.0',
        source: '/orders',
        type: 'order.placed.v1',
        subject: 'o-9',
        partitionkey: 'o-9',
        datacontenttype: 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      });
    } finally {
      uninstall();
    }
  });

  it('moves a corrupt outbox row to the dead letter with its reason and keeps publishing', async () => {
    await record();
    await db.transaction((tx) => outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', seq: 1 }));
    await db.query(
      "INSERT INTO milkyway_outbox (destination, attributes, data) VALUES ('order.placed.v1', '{\"specversion\":\"1.0\"}', '{}')",
    );
    await db.query(
      `INSERT INTO milkyway_outbox (destination, attributes, data) VALUES ('order.placed.v1',
        '{"specversion":"1.0","id":"bad-data","source":"/orders","type":"order.placed.v1"}', '{"orderId":1}')`,
    );
    await db.transaction((tx) => outbox.enqueue(tx, orderPlaced, { orderId: 'o-2', seq: 1 }));
    const relay = await startRelay();
    await eventually(
      async () => (await relay.pending()) === 0 && received.length >= 2,
      'the outbox to drain',
    );
    const { rows } = await db.query<{ reason: string }>(
      'SELECT reason FROM milkyway_outbox_dead_letter ORDER BY id',
    );
    expect(rows.map((r) => r.reason)).toEqual([
      'attribute id is missing or not a string',
      expect.stringMatching(/^data fails the schema of order\.placed\.v1: orderId:/),
    ]);
    expect(received.map((a) => a.partitionkey)).toEqual(['o-1', 'o-2']);
    expect(relay.status().deadLettered).toBe(2);
  });

  it('keeps events while the transport is down and publishes them once it is back', async () => {
    await record();
    const transport = broker.connect();
    const relay = await startRelay({ transport });
    transport.disconnect();
    await db.transaction((tx) => outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', seq: 1 }));
    await eventually(() => relay.status().failures >= 2, 'the relay to fail and back off');
    expect(await relay.pending()).toBe(1);
    transport.reconnect();
    await eventually(
      async () => (await relay.pending()) === 0 && received.length === 1,
      'the outbox to drain',
    );
    expect(relay.status().failures).toBe(0);
  });

  it('archives published rows into the event log when retention is archive', async () => {
    await startRelay({ retention: 'archive' });
    await db.transaction((tx) => outbox.enqueue(tx, orderPlaced, { orderId: 'o-1', seq: 1 }));
    await eventually(async () => (await relays[0]!.pending()) === 0, 'the outbox to drain');
    const { rows } = await db.query<{ type: string; key: string }>(
      'SELECT type, key FROM milkyway_event_log',
    );
    expect(rows).toEqual([{ type: 'order.placed.v1', key: 'o-1' }]);
  });

  it('an inbox applies a message once: the duplicate is acknowledged without its effect', async () => {
    const inbox = postgresInbox(db);
    const key = { messageId: 'e-1', source: '/orders', group: 'catalog' };
    const effect = (tx: { query: Database['query'] }) =>
      tx.query("INSERT INTO effects (key, seq, event_id) VALUES ('k', 1, 'e-1')").then(() => {});
    expect(await inbox.runOnce(key, effect)).toBe('applied');
    expect(await inbox.runOnce(key, effect)).toBe('duplicate');
    const { rows } = await db.query('SELECT event_id FROM effects');
    expect(rows).toHaveLength(1);
  });

  it('an inbox whose effect fails records nothing, so the retry applies it', async () => {
    const inbox = postgresInbox(db);
    const key = { messageId: 'e-2', source: '/orders', group: 'catalog' };
    await expect(
      inbox.runOnce(key, async (tx) => {
        await tx.query("INSERT INTO effects (key, seq, event_id) VALUES ('k', 1, 'e-2')");
        throw new Error('stock service said no');
      }),
    ).rejects.toThrow('stock service said no');
    expect(
      await inbox.runOnce(key, (tx) =>
        tx.query("INSERT INTO effects (key, seq, event_id) VALUES ('k', 1, 'e-2')").then(() => {}),
      ),
    ).toBe('applied');
    const { rows } = await db.query('SELECT event_id FROM effects');
    expect(rows).toHaveLength(1);
  });

  it("with two relays and two consumers, each key's effects follow commit order", async () => {
    const first = await startRelay();
    await startRelay();
    const keys = Array.from({ length: 6 }, (_, i) => `k${i}`);
    const perKey = 15;
    const consumers = [];
    for (let i = 0; i < 2; i++) {
      const bus = createEventBus({ source: '/catalog', transport: broker.connect() });
      await bus.subscribe(
        orderPlaced,
        async (event, { tx }) => {
          await tx.query('INSERT INTO effects (key, seq, event_id) VALUES ($1, $2, $3)', [
            event.data.orderId,
            event.data.seq,
            event.id,
          ]);
        },
        {
          group: 'catalog',
          inbox: postgresInbox(db),
          middleware: [keyOrder()],
          maxInFlight: 8,
          retry: { maxAttempts: 200, baseDelayMs: 2, maxDelayMs: 20 },
        },
      );
      consumers.push(bus);
      stops.push(() => bus.close());
    }
    // Producers: one sequential writer per key (its commit order is seq order), keys in parallel;
    // the leading relay stops halfway and the other takes over.
    await Promise.all(
      keys.map(async (key) => {
        for (let seq = 1; seq <= perKey; seq++) {
          await db.transaction((tx) => outbox.enqueue(tx, orderPlaced, { orderId: key, seq }));
          if (key === 'k0' && seq === Math.floor(perKey / 2)) await first.stop();
        }
      }),
    );
    const total = keys.length * perKey;
    await eventually(
      async () => {
        const n = Number(
          (await db.query<{ n: string }>('SELECT count(*)::text AS n FROM effects')).rows[0]!.n,
        );
        return n === total;
      },
      `${total} effects`,
      20_000,
    );
    const { rows } = await db.query<{ key: string; seq: number }>(
      'SELECT key, seq FROM effects ORDER BY n',
    );
    for (const key of keys) {
      expect(rows.filter((r) => r.key === key).map((r) => r.seq)).toEqual(
        Array.from({ length: perKey }, (_, i) => i + 1),
      );
    }
  });
});
