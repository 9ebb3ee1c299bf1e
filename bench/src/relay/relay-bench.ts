// Outbox relay on the machine's PostgreSQL (127.0.0.1:5432) and NATS JetStream (127.0.0.1:4222):
// - throughput: draining N committed outbox rows to JetStream with @milkyway/postgres' relay
//   (through @milkyway/nats' transport) against a plain loop that reads batches with
//   FOR UPDATE SKIP LOCKED, publishes them with the raw @nats-io/jetstream client and deletes
//   them; same batch size, same rows, interleaved repetitions;
// - latency from commit to the consumer's handler, p50/p99, woken by NOTIFY and by polling only.
// A database and streams with unique names are created and dropped.

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createEventBus, defineTopic } from '@milkyway/events';
import {
  defaultSubjectMapping,
  type NatsTransport,
  natsTransport,
  type SubjectMapping,
} from '@milkyway/nats';
import { createOutbox, createRelay, type Database, migrate } from '@milkyway/postgres';
import { createPgPool, pgDatabase } from '@milkyway/postgres/pg';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import pg from 'pg';
import { z } from 'zod';
import { type Spread, spread } from '../lib/stats.js';

const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().positive() }),
  key: (o) => o.orderId,
});

/** Options of {@link runRelayBench}. */
export interface RelayBenchOptions {
  /** Events drained per throughput run. */
  events: number;
  /** Interleaved repetitions (relay, loop, relay, loop, ...). */
  repetitions: number;
  /** Events sent one by one for the latency runs. */
  latencyEvents: number;
  /** Distinct ordering keys among the events. */
  keys: number;
  /** Rows per round, for both the relay and the loop. */
  batchSize: number;
}

/** What {@link runRelayBench} measured. */
export interface RelayBenchResult {
  relay: Spread;
  loop: Spread;
  ratio: number;
  latency: {
    notify: { p50: number; p99: number };
    polling: { p50: number; p99: number; pollIntervalMs: number };
  };
}

export async function runRelayBench(options: RelayBenchOptions): Promise<RelayBenchResult> {
  const name = `mw_bench_relay_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
  const pool = createPgPool({ connectionString: url, max: 8 });
  const db = pgDatabase(pool);
  const prefix = `bench_relay_${randomBytes(3).toString('hex')}`;
  const mapping = defaultSubjectMapping({ subjectPrefix: prefix });
  let transport: (NatsTransport & { mapping: SubjectMapping }) | undefined;
  try {
    await migrate(db);
    transport = Object.assign(
      await natsTransport({ connection: { servers: NATS_URL, name: 'bench-relay' }, mapping }),
      { mapping },
    );
    const js = jetstream(transport.connection);
    const jsm = await jetstreamManager(transport.connection);
    const outbox = createOutbox({ source: '/bench' });
    const fill = async () => {
      for (let i = 0; i < options.events; i += 100) {
        await db.transaction(async (tx) => {
          for (let j = i; j < Math.min(options.events, i + 100); j++) {
            await outbox.enqueue(tx, orderPlaced, {
              orderId: `o-${j % options.keys}`,
              sku: 'sku-42',
              quantity: 2,
            });
          }
        });
      }
    };
    // Creates the stream (the loop publishes to it too).
    await fill();
    await drainWithRelay(db, transport, options);

    const relayRates: number[] = [];
    const loopRates: number[] = [];
    for (let r = 0; r < options.repetitions; r++) {
      await fill();
      relayRates.push(options.events / (await drainWithRelay(db, transport, options)));
      await fill();
      loopRates.push(options.events / (await drainWithLoop(pool, js, mapping.subject, options)));
    }

    const stream = mapping.stream(orderPlaced.destination);
    // The latency consumers start from an empty stream (not behind the throughput runs' messages).
    await jsm.streams.purge(stream);
    const notify = await latency(db, transport, outbox, options, {
      notify: true,
      pollIntervalMs: 1_000,
    });
    await jsm.streams.purge(stream);
    const polling = await latency(db, transport, outbox, options, {
      notify: false,
      pollIntervalMs: 100,
    });
    await jsm.streams.delete(stream).catch(() => {});
    const relay = spread(relayRates);
    const loop = spread(loopRates);
    return {
      relay,
      loop,
      ratio: relay.median / loop.median,
      latency: { notify, polling: { ...polling, pollIntervalMs: 100 } },
    };
  } finally {
    await transport?.close();
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** Seconds the relay takes to publish every waiting row. */
async function drainWithRelay(db: Database, transport: NatsTransport, options: RelayBenchOptions) {
  const relay = createRelay({ db, transport, batchSize: options.batchSize, leaderRetryMs: 10 });
  const waiting = await relay.pending();
  const started = performance.now();
  await relay.start();
  while (relay.status().published < waiting) await new Promise((r) => setTimeout(r, 2));
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  return seconds;
}

/** Seconds the plain SKIP LOCKED loop takes to publish and delete every waiting row. */
async function drainWithLoop(
  pool: pg.Pool,
  js: ReturnType<typeof jetstream>,
  subjectOf: (destination: string) => string,
  options: RelayBenchOptions,
) {
  const started = performance.now();
  for (;;) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        id: string;
        destination: string;
        attributes: Record<string, unknown> & { id: string };
        data: string;
      }>(
        'SELECT id, destination, attributes, data FROM milkyway_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [options.batchSize],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        break;
      }
      await Promise.all(
        rows.map((row) => {
          // The same CloudEvents binary-mode headers the relay sends (NATS binding).
          const h = natsHeaders();
          for (const [name, value] of Object.entries(row.attributes)) {
            if (typeof value === 'string') h.set(`ce-${name}`, value);
          }
          return js.publish(subjectOf(row.destination), row.data, {
            msgID: row.attributes.id,
            headers: h,
          });
        }),
      );
      await client.query('DELETE FROM milkyway_outbox WHERE id = ANY($1::bigint[])', [
        rows.map((r) => r.id),
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
  return (performance.now() - started) / 1000;
}

/** Commit → handler latency (ms) of events committed one at a time. */
async function latency(
  db: Database,
  transport: NatsTransport & { mapping: SubjectMapping },
  outbox: ReturnType<typeof createOutbox>,
  options: RelayBenchOptions,
  relayOptions: { notify: boolean; pollIntervalMs: number },
) {
  const committedAt = new Map<string, number>();
  const samples: number[] = [];
  // The consumer's own connection (closing the bus closes it).
  const consumerTransport = await natsTransport({
    connection: { servers: NATS_URL, name: 'bench-relay-consumer' },
    mapping: transport.mapping,
  });
  const bus = createEventBus({ source: '/bench-consumer', transport: consumerTransport });
  const group = `lat_${randomBytes(3).toString('hex')}`;
  await bus.subscribe(
    orderPlaced,
    (event) => {
      const at = committedAt.get(event.id);
      if (at !== undefined) samples.push(performance.now() - at);
    },
    { group, ordering: 'none', maxInFlight: 64 },
  );
  const relay = createRelay({ db, transport, ...relayOptions, leaderRetryMs: 10 });
  await relay.start();
  for (let i = 0; i < options.latencyEvents; i++) {
    const envelope = await db.transaction((tx) =>
      outbox.enqueue(tx, orderPlaced, {
        orderId: `o-${i % options.keys}`,
        sku: 'sku-42',
        quantity: 1,
      }),
    );
    committedAt.set(envelope.attributes.id, performance.now());
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
  }
  const deadline = performance.now() + 30_000;
  while (samples.length < options.latencyEvents && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await relay.stop();
  await bus.close();
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}
