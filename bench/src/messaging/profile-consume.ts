// One messaging case per process, to profile it alone:
//   npx tsx src/messaging/profile-consume.ts --case=transport [--messages=20000] [--profile=/tmp/t.cpuprofile]
// With --profile, a V8 CPU profile of the measured part alone (the stream filling excluded) is
// written there (node:inspector), and its top self frames and areas are printed.
// Cases: raw | transport | bus (consume + ack of a stream filled first), publish-raw | publish-bus.
// Prints msg/s and the process CPU µs a message (user + system) of the measured part only.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createEventBus, defineTopic } from '@milkyway/events';
import { defaultSubjectMapping, natsTransport } from '@milkyway/nats';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { z } from 'zod';
import { selfByArea, topSelfFrames } from '../lib/profile.js';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const which = arg('case', 'transport');
const messages = Number(arg('messages', '20000'));
const concurrency = Number(arg('concurrency', '64'));
const profilePath = arg('profile', '');
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const topic = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().positive() }),
});
const payload = { orderId: 'ord_000123', sku: 'sku-42', quantity: 2 };
const payloadBytes = new TextEncoder().encode(JSON.stringify(payload));

const prefix = `prof_${randomUUID().slice(0, 8)}`;
const mapping = defaultSubjectMapping({ subjectPrefix: prefix });
const nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
const transport = await natsTransport({ connection: { servers: NATS_URL }, mapping });
const bus = createEventBus({ source: '/bench', transport });
const stream = mapping.stream('order.placed.v1');
const rawStream = `${prefix.toUpperCase()}_RAW`;
const rawSubject = `${prefix}.raw`;

async function window(count: number, send: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++);
    }),
  );
}

function measure<T>(run: () => Promise<T>) {
  return async () => {
    const session = profilePath ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    await run();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(profilePath, JSON.stringify(profile));
    }
    return {
      rate: Math.round(messages / (ms / 1000)),
      cpuUsPerMessage: +((used.user + used.system) / messages).toFixed(2),
    };
  };
}

try {
  await jsm.streams.add({ name: rawStream, subjects: [rawSubject], duplicate_window: 120e9 });
  await bus.publish(topic, payload);
  let result: { rate: number; cpuUsPerMessage: number };
  if (which === 'publish-raw') {
    result = await measure(() =>
      window(messages, (i) => js.publish(rawSubject, payloadBytes, { msgID: `raw-${i}` })),
    )();
  } else if (which === 'publish-bus') {
    result = await measure(() => window(messages, () => bus.publish(topic, payload)))();
  } else {
    await window(messages - 1, () => bus.publish(topic, payload));
    const total = messages;
    if (which === 'raw') {
      await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit });
      const consumer = await js.consumers.get(stream, 'raw');
      result = await measure(async () => {
        const iterator = await consumer.consume({ max_messages: concurrency });
        let seen = 0;
        for await (const m of iterator) {
          m.ack();
          if (++seen >= total) break;
        }
        await iterator.close();
      })();
    } else if (which === 'transport') {
      result = await measure(async () => {
        let handled = 0;
        let finish = () => {};
        const done = new Promise<void>((resolve) => {
          finish = resolve;
        });
        const sub = await transport.subscribe(
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
        await sub.stop();
      })();
    } else {
      result = await measure(async () => {
        let handled = 0;
        let finish = () => {};
        const done = new Promise<void>((resolve) => {
          finish = resolve;
        });
        const consumer = await bus.subscribe(
          topic,
          async () => {
            if (++handled === total) finish();
          },
          { group: 'bus', maxInFlight: concurrency, ordering: 'none' },
        );
        await done;
        await consumer.stop();
      })();
    }
  }
  process.stdout.write(`${JSON.stringify({ case: which, messages, concurrency, ...result })}\n`);
  if (profilePath) {
    const { top, totalMs } = topSelfFrames(profilePath, 25);
    process.stdout.write(
      `busy ${totalMs.toFixed(0)} ms (${((totalMs * 1000) / messages).toFixed(2)} µs a message)\n`,
    );
    for (const f of top)
      process.stdout.write(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.frame}\n`);
    for (const a of selfByArea(profilePath).slice(0, 12))
      process.stdout.write(`  area ${(a.share * 100).toFixed(1).padStart(5)}%  ${a.area}\n`);
  }
} finally {
  await bus.close({ drainMs: 1_000 }).catch(() => undefined);
  await jsm.streams.delete(stream).catch(() => false);
  await jsm.streams.delete(rawStream).catch(() => false);
  await nc.close();
}
