// npx tsx src/messaging/runtime-run.ts [--messages=200000] [--concurrency=64] [--reps=5]
// The consumer runtime of @milkyway/events alone, without a broker: a transport that hands out
// CloudEvents binary-mode messages from memory (decoded like a real transport does, acks that
// resolve at once, at most `concurrency` unsettled) to (a) a bare delivery handler that acks,
// (b) `bus.subscribe` (schema, CONSUMER span, deadline, settle bookkeeping). The difference is
// what the runtime costs per message. Interleaved repetitions; µs per message, median (min–max).
// With `node --cpu-prof --import tsx` it is the runtime's own profile.
import {
  createCloudEvent,
  createEventBus,
  type Delivery,
  type DeliveryHandler,
  decodeBinary,
  defineTopic,
  encodeBinary,
  type Transport,
} from '@milkyway/events';
import { z } from 'zod';
import { spread } from '../lib/stats.js';

const flag = (name: string, fallback: number) => {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v === undefined ? fallback : Number(v);
};

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().positive() }),
  key: (o) => o.orderId,
});

/** A transport that replays `wire` messages, as fast as deliveries are settled. */
function replayTransport(wire: { headers: Record<string, string>; body: Uint8Array }[]): Transport {
  const settled = Promise.resolve();
  return {
    system: 'bench',
    publish: async () => undefined,
    health: () => ({ connected: true }),
    close: async () => undefined,
    async subscribe(options, onDelivery: DeliveryHandler) {
      let next = 0;
      let out = 0;
      let stopped = false;
      let scheduled = false;
      const pump = () => {
        scheduled = false;
        while (!stopped && out < options.maxInFlight && next < wire.length) {
          const message = wire[next++]!;
          out++;
          let done = false;
          const settle = () => {
            if (done) return settled;
            done = true;
            out--;
            if (!scheduled) {
              scheduled = true;
              queueMicrotask(pump);
            }
            return settled;
          };
          const delivery: Delivery = {
            destination: options.destinations[0]!,
            message: decodeBinary({
              headers: message.headers,
              body: message.body,
              binding: 'nats',
            }),
            headers: message.headers,
            body: message.body,
            attempt: 1,
            ack: settle,
            nak: settle,
            working: () => settled,
          };
          onDelivery(delivery);
        }
      };
      queueMicrotask(pump);
      return {
        stop: async () => {
          stopped = true;
        },
      };
    },
  };
}

/** Runs the runtime benchmark: µs per message of each case. */
export async function runRuntimeBench(options: {
  messages: number;
  concurrency: number;
  repetitions: number;
  /** Which cases to run (default all three). */
  cases?: readonly ('transport' | 'none' | 'key')[];
  log?: (line: string) => void;
}) {
  const cases = new Set(options.cases ?? ['transport', 'none', 'key']);
  const { messages, concurrency, repetitions } = options;
  const wire = Array.from({ length: messages }, (_, i) =>
    encodeBinary(
      createCloudEvent(
        orderPlaced,
        { orderId: `ord_${i % 500}`, sku: 'sku-42', quantity: 2 },
        { source: '/bench' },
      ),
      'nats',
    ),
  );
  const once = async (kind: 'transport' | 'none' | 'key') => {
    const transport = replayTransport(wire);
    let handled = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const started = performance.now();
    let stop: () => Promise<void>;
    if (kind === 'transport') {
      const subscription = await transport.subscribe(
        {
          destinations: [orderPlaced.destination],
          group: 'g',
          maxInFlight: concurrency,
          ackDeadlineMs: 30_000,
          maxDeliver: 5,
        },
        (delivery) => {
          void delivery.ack();
          if (++handled === messages) finish();
        },
      );
      stop = () => subscription.stop();
    } else {
      const bus = createEventBus({ source: '/bench', transport });
      await bus.subscribe(
        orderPlaced,
        async () => {
          if (++handled === messages) finish();
        },
        { group: 'g', maxInFlight: concurrency, ordering: kind },
      );
      stop = () => bus.close();
    }
    await done;
    const us = ((performance.now() - started) * 1000) / messages;
    await stop();
    return us;
  };
  const results = { transport: [] as number[], none: [] as number[], key: [] as number[] };
  for (let rep = 0; rep < repetitions; rep++) {
    results.transport.push(cases.has('transport') ? await once('transport') : Number.NaN);
    results.none.push(cases.has('none') ? await once('none') : Number.NaN);
    results.key.push(cases.has('key') ? await once('key') : Number.NaN);
    options.log?.(
      `rep ${rep + 1}: transport ${results.transport.at(-1)!.toFixed(2)} µs, bus (ordering none) ${results.none.at(-1)!.toFixed(2)} µs, bus (ordering key) ${results.key.at(-1)!.toFixed(2)} µs a message`,
    );
  }
  const runtime = (bus: number[]) => spread(bus.map((v, i) => v - results.transport[i]!));
  return {
    messages,
    concurrency,
    usPerMessage: {
      transport: spread(results.transport),
      busNone: spread(results.none),
      busKey: spread(results.key),
    },
    runtimeUs: { none: runtime(results.none), key: runtime(results.key) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runRuntimeBench({
    messages: flag('messages', 200_000),
    concurrency: flag('concurrency', 64),
    repetitions: flag('reps', 5),
    cases: process.argv
      .find((a) => a.startsWith('--cases='))
      ?.slice('--cases='.length)
      .split(',') as ('transport' | 'none' | 'key')[] | undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
