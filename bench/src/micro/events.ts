// Per-message cost of @milkyway/events (issue 15): validation + CloudEvents + tracing, through
// the public entry point only. Each case is one message; the baseline is what any code does
// with a JSON event anyway (stringify + parse).
import {
  createCloudEvent,
  createEventBus,
  decodeBinary,
  defineTopic,
  encodeBinary,
  memoryTransport,
} from '@milkyway/events';
import { trace } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { z } from 'zod';
import { timeIt } from './measure.js';
import type { MicroCase, MicroOptions, MicroResult } from './types.js';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({
    orderId: z.string(),
    customerId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })),
    totalCents: z.number().int(),
  }),
  key: (o) => o.orderId,
});
const payload = {
  orderId: 'o-42',
  customerId: 'c-7',
  lines: [
    { sku: 'tea', quantity: 2 },
    { sku: 'mug', quantity: 1 },
  ],
  totalCents: 2_450,
};

/** Exports nothing: measures the SDK's span work without I/O. */
const dropAll: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: async () => undefined,
};

/** One message through a bus on the memory transport: publish, handler, ack. */
async function roundTrip() {
  const bus = createEventBus({ source: '/orders', transport: memoryTransport() });
  let resolveHandled: () => void = () => undefined;
  await bus.subscribe(orderPlaced, () => resolveHandled(), { group: 'bench', maxInFlight: 1 });
  return {
    call: async () => {
      const handled = new Promise<void>((resolve) => {
        resolveHandled = resolve;
      });
      await bus.publish(orderPlaced, payload);
      await handled;
    },
    close: () => bus.close(),
  };
}

export async function run(opts: MicroOptions): Promise<MicroResult> {
  const cases: MicroCase[] = [];
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const baseline = () => JSON.parse(decoder.decode(encoder.encode(JSON.stringify(payload))));
  for (let i = 0; i < 50_000; i++) baseline(); // JIT warm-up before the first measured case
  cases.push(
    await timeIt(
      'baseline: JSON stringify + encode + decode + parse',
      () => {
        const bytes = encoder.encode(JSON.stringify(payload));
        return JSON.parse(decoder.decode(bytes));
      },
      opts,
    ),
  );
  cases.push(
    await timeIt(
      'publish side: validate + CloudEvent + binary headers',
      () => {
        const envelope = createCloudEvent(orderPlaced, payload, { source: '/orders' });
        return encodeBinary(envelope, 'nats');
      },
      opts,
    ),
  );
  const wire = encodeBinary(createCloudEvent(orderPlaced, payload, { source: '/orders' }), 'nats');
  cases.push(
    await timeIt(
      'consume side: decode CloudEvent + JSON + validate',
      () => {
        const decoded = decodeBinary({ headers: wire.headers, body: wire.body, binding: 'nats' });
        if (!decoded.ok) throw new Error(decoded.detail);
        return orderPlaced.parse(JSON.parse(decoder.decode(decoded.envelope.data)));
      },
      opts,
    ),
  );

  const plain = await roundTrip();
  cases.push(await timeIt('bus round trip, memory transport, API only (no SDK)', plain.call, opts));
  await plain.close();

  const provider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: dropAll, maxQueueSize: 65_536 })],
  });
  trace.setGlobalTracerProvider(provider);
  const traced = await roundTrip();
  cases.push(
    await timeIt(
      'bus round trip, memory transport, SDK tracing (sampled, batch)',
      traced.call,
      opts,
    ),
  );
  await traced.close();
  await provider.shutdown();
  trace.disable();

  const by = (prefix: string) => cases.find((c) => c.name.startsWith(prefix))?.p50Ns ?? Number.NaN;
  return {
    cases,
    extra: {
      publishSideNs: by('publish side'),
      consumeSideNs: by('consume side'),
      tracingOverheadNs:
        by('bus round trip, memory transport, SDK') - by('bus round trip, memory transport, API'),
    },
    notes: [
      'The publish and consume sides include the JSON work any event needs (the baseline row); tracing overhead = round trip with the SDK minus without (two spans a message: PRODUCER + CONSUMER).',
      'The round trip includes the memory broker (store, dispatch, ack) and promise hops; it is an upper bound of the runtime per message, not the transport of a real broker.',
    ],
  };
}
