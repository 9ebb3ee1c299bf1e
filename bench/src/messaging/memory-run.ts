// npx tsx src/messaging/memory-run.ts [--messages=20000] [--concurrency=64] [--reps=3]
// The consumer runtime of @milkyway/events alone, on the memory transport (no broker, no
// network): messages/s of `bus.subscribe` against the memory transport's own delivery + ack
// loop, interleaved repetitions. With `node --cpu-prof --import tsx` it is the runtime's profile.
import { createEventBus, defineTopic, memoryTransport } from '@milkyway/events';
import { z } from 'zod';
import { spread } from '../lib/stats.js';

const flag = (name: string, fallback: number) => {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v === undefined ? fallback : Number(v);
};
const messages = flag('messages', 20_000);
const concurrency = flag('concurrency', 64);
const reps = flag('reps', 3);

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().positive() }),
  key: (o) => o.orderId,
});
const payload = { orderId: 'ord_000123', sku: 'sku-42', quantity: 2 };

async function once(kind: 'transport' | 'bus', ordering: 'none' | 'key') {
  const transport = memoryTransport();
  const bus = createEventBus({ source: '/bench', transport });
  for (let i = 0; i < messages; i++) {
    await bus.publish(orderPlaced, { ...payload, orderId: `ord_${i % 500}` });
  }
  let handled = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const started = performance.now();
  if (kind === 'bus') {
    await bus.subscribe(
      orderPlaced,
      async () => {
        if (++handled === messages) finish();
      },
      { group: 'bus', maxInFlight: concurrency, ordering },
    );
  } else {
    await transport.subscribe(
      {
        destinations: [orderPlaced.destination],
        group: 'transport',
        maxInFlight: concurrency,
        ackDeadlineMs: 30_000,
        maxDeliver: 5,
      },
      (delivery) => {
        void delivery.ack();
        if (++handled === messages) finish();
      },
    );
  }
  await done;
  const rate = messages / ((performance.now() - started) / 1000);
  await bus.close({ drainMs: 1_000 });
  return rate;
}

const rates = { transport: [] as number[], none: [] as number[], key: [] as number[] };
for (let rep = 0; rep < reps; rep++) {
  rates.transport.push(await once('transport', 'none'));
  rates.none.push(await once('bus', 'none'));
  rates.key.push(await once('bus', 'key'));
  process.stderr.write(
    `rep ${rep + 1}: transport ${rates.transport.at(-1)!.toFixed(0)}/s, bus (ordering none) ${rates.none.at(-1)!.toFixed(0)}/s, bus (ordering key, 500 keys) ${rates.key.at(-1)!.toFixed(0)}/s\n`,
  );
}
const us = (r: number[]) => (1e6 / spread(r).median).toFixed(1);
process.stdout.write(
  `${JSON.stringify(
    {
      messages,
      concurrency,
      transport: spread(rates.transport),
      busNone: spread(rates.none),
      busKey: spread(rates.key),
      usPerMessage: {
        transport: us(rates.transport),
        busNone: us(rates.none),
        busKey: us(rates.key),
      },
    },
    null,
    2,
  )}\n`,
);
