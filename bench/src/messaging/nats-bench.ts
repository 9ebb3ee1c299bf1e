// Messaging throughput on the machine's NATS (127.0.0.1:4222): the Milkyway bus over the
// JetStream transport against the raw @nats-io/jetstream client, same payload, same
// concurrency, interleaved repetitions in one process. Streams get unique names and are
// deleted afterwards.

import { randomUUID } from 'node:crypto';
import { createEventBus, defineTopic } from '@milkyway/events';
import { defaultSubjectMapping, natsTransport } from '@milkyway/nats';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { z } from 'zod';
import { type Spread, spread } from '../lib/stats.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().positive() }),
});
const payload = { orderId: 'ord_000123', sku: 'sku-42', quantity: 2 };
const payloadBytes = new TextEncoder().encode(JSON.stringify(payload));

/** Options of {@link runMessagingBench}. */
export interface MessagingBenchOptions {
  /** Messages per run. */
  messages: number;
  /** Publishes in flight at once, and the consumers' max in flight / pull batch. */
  concurrency: number;
  repetitions: number;
  /**
   * Untimed repetitions first (default 1, full size): the first pass of each
   * side runs cold (JIT, the stream's first blocks), and whichever side ran first lost up to
   * 30 % to it.
   */
  warmups?: number;
  log?: (line: string) => void;
}

/** Messages per second of each case over the repetitions. */
export interface MessagingBenchResult {
  publish: { raw: Spread; bus: Spread };
  consume: { raw: Spread; bus: Spread; transport: Spread };
  /** Ratios per pair of back-to-back runs (run i of Milkyway over run i of the raw client). */
  ratios: { publish: Spread; consume: Spread; transport: Spread };
  messages: number;
  concurrency: number;
  payloadBytes: number;
}

/** Runs `count` async sends with at most `concurrency` in flight; resolves with messages/s. */
async function timedWindow(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<unknown>,
) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** Runs the messaging benchmark; throws when NATS is not reachable. */
export async function runMessagingBench(
  options: MessagingBenchOptions,
): Promise<MessagingBenchResult> {
  const { messages, concurrency, repetitions } = options;
  const warmups = options.warmups ?? 1;
  const log = options.log ?? (() => {});
  const prefix = `bench_${randomUUID().slice(0, 8)}`;
  // The raw client gets the same connection options as the transport's (no async traces).
  const nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const streams: string[] = [];
  const results = {
    publishRaw: [] as number[],
    publishBus: [] as number[],
    consumeRaw: [] as number[],
    consumeBus: [] as number[],
    consumeTransport: [] as number[],
  };

  try {
    for (let rep = -warmups; rep < repetitions; rep++) {
      const warmup = rep < 0;
      const count = messages;
      const label = warmup ? `w${-rep}` : String(rep);
      // A fresh subject prefix per repetition: every run starts from empty streams.
      const mapping = defaultSubjectMapping({ subjectPrefix: `${prefix}_${label}` });
      const transport = await natsTransport({ connection: { servers: NATS_URL }, mapping });
      const bus = createEventBus({ source: '/bench', transport });
      try {
        const rawSubject = `${prefix}_${label}.raw`;
        const rawStream = `${prefix.toUpperCase()}_RAW_${label}`;
        const busStream = mapping.stream('order.placed.v1');
        streams.push(rawStream, busStream);
        await jsm.streams.add({ name: rawStream, subjects: [rawSubject], duplicate_window: 120e9 });
        await bus.publish(orderPlaced, payload); // creates the bus's stream outside the timing

        // Publish (acked): the raw client with Nats-Msg-Id set, like the bus, vs bus.publish
        // (schema check, CloudEvent, binary-mode headers, PRODUCER span with the API alone).
        const publishRaw = () =>
          timedWindow(count, concurrency, (i) =>
            js.publish(rawSubject, payloadBytes, { msgID: `raw-${label}-${i}` }),
          );
        const publishBus = () =>
          timedWindow(count, concurrency, () => bus.publish(orderPlaced, payload));
        const rawFirst = Math.abs(rep) % 2 === 0;
        let rawRate: number;
        let viaBus: number;
        if (rawFirst) {
          rawRate = await publishRaw();
          viaBus = await publishBus();
        } else {
          viaBus = await publishBus();
          rawRate = await publishRaw();
        }
        if (!warmup) {
          results.publishRaw.push(rawRate);
          results.publishBus.push(viaBus);
        }
        log(
          `publish ${warmup ? 'warm-up' : `rep ${rep + 1}`}: raw ${rawRate.toFixed(0)}/s, bus ${viaBus.toFixed(0)}/s`,
        );

        // Consume + ack: both read the stream the bus filled (the same CloudEvents messages).
        const total = (await jsm.streams.info(busStream)).state.messages;
        // One untimed read of the whole stream first, so that every timed consumer finds the
        // stream's blocks in the server's cache (the first reader otherwise loads them).
        const warm = await (await js.consumers.get(busStream)).consume({ max_messages: 1_000 });
        let read = 0;
        for await (const _ of warm) if (++read >= total) break;
        await warm.close();
        const consumeRaw = async () => {
          await jsm.consumers.add(busStream, {
            durable_name: 'raw',
            ack_policy: AckPolicy.Explicit,
          });
          const consumer = await js.consumers.get(busStream, 'raw');
          const started = performance.now();
          const iterator = await consumer.consume({ max_messages: concurrency });
          let seen = 0;
          for await (const m of iterator) {
            m.ack();
            if (++seen >= total) break;
          }
          const rate = total / ((performance.now() - started) / 1000);
          await iterator.close();
          return rate;
        };
        const consumeBus = async () => {
          let handled = 0;
          let finish: () => void = () => {};
          const done = new Promise<void>((resolve) => {
            finish = resolve;
          });
          const started = performance.now();
          const consumer = await bus.subscribe(
            orderPlaced,
            async () => {
              if (++handled === total) finish();
            },
            { group: 'bus', maxInFlight: concurrency, ordering: 'none' },
          );
          await done;
          const rate = total / ((performance.now() - started) / 1000);
          await consumer.stop();
          return rate;
        };
        // The transport alone (pull loop, CloudEvent decode, ack confirmed by a flush), no runtime.
        const consumeTransport = async () => {
          let handled = 0;
          let finish: () => void = () => {};
          const done = new Promise<void>((resolve) => {
            finish = resolve;
          });
          const started = performance.now();
          const subscription = await transport.subscribe(
            {
              destinations: ['order.placed.v1'],
              group: 'transport',
              maxInFlight: concurrency,
              ackDeadlineMs: 30_000,
              maxDeliver: 5,
            },
            (delivery) => {
              delivery.ack().catch(() => undefined);
              if (++handled === total) finish();
            },
          );
          await done;
          const rate = total / ((performance.now() - started) / 1000);
          await subscription.stop();
          return rate;
        };
        let cRaw: number;
        let cBus: number;
        let cTransport: number;
        if (rawFirst) {
          cRaw = await consumeRaw();
          cTransport = await consumeTransport();
          cBus = await consumeBus();
        } else {
          cBus = await consumeBus();
          cTransport = await consumeTransport();
          cRaw = await consumeRaw();
        }
        if (!warmup) {
          results.consumeTransport.push(cTransport);
          results.consumeRaw.push(cRaw);
          results.consumeBus.push(cBus);
        }
        log(
          `consume ${warmup ? 'warm-up' : `rep ${rep + 1}`} (${total} messages): raw ${cRaw.toFixed(0)}/s, transport ${cTransport.toFixed(0)}/s, bus ${cBus.toFixed(0)}/s`,
        );
      } finally {
        await bus.close({ drainMs: 1_000 }).catch(() => undefined);
      }
    }
  } finally {
    for (const s of streams) await jsm.streams.delete(s).catch(() => false);
    await nc.close();
  }
  const pairs = (ours: number[], raw: number[]) => spread(ours.map((v, i) => v / raw[i]!));
  return {
    publish: { raw: spread(results.publishRaw), bus: spread(results.publishBus) },
    ratios: {
      publish: pairs(results.publishBus, results.publishRaw),
      consume: pairs(results.consumeBus, results.consumeRaw),
      transport: pairs(results.consumeTransport, results.consumeRaw),
    },
    consume: {
      raw: spread(results.consumeRaw),
      bus: spread(results.consumeBus),
      transport: spread(results.consumeTransport),
    },
    messages,
    concurrency,
    payloadBytes: payloadBytes.byteLength,
  };
}
