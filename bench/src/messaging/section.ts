import { int, ratio, rps, type Spread, table } from '../lib/stats.js';
import { type MessagingBenchResult, runMessagingBench } from './nats-bench.js';
import { runRuntimeBench } from './runtime-run.js';

/** A goal line for the run's summary table. */
export interface MessagingGoal {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

/** "1.16x (0.94–1.35x)": a per-pair ratio, median (min–max). */
const pairRatio = (s: Spread) =>
  Number.isFinite(s.median)
    ? `${s.median.toFixed(2)}x (${s.min.toFixed(2)}–${s.max.toFixed(2)}x)`
    : 'n/a';
const us = (s: Spread) => `${s.median.toFixed(2)} µs (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;

/**
 * The messaging section: publish (acked) and consume + ack, Milkyway bus over the NATS
 * transport vs the raw @nats-io/jetstream client, as a markdown table and its goals; then the
 * consumer runtime's own cost per message without a broker.
 */
export async function messagingSection(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<{
  markdown: string[];
  goals: MessagingGoal[];
  result: MessagingBenchResult & { runtime: Awaited<ReturnType<typeof runRuntimeBench>> };
}> {
  const result = await runMessagingBench({
    messages: options.quick ? 3_000 : 20_000,
    concurrency: 64,
    // Five pairs: the raw client alone varies by 1.5-2x between runs on the shared machine.
    repetitions: options.quick ? 1 : 5,
    log: options.log,
  });
  const runtime = await runRuntimeBench({
    messages: options.quick ? 20_000 : 200_000,
    concurrency: 64,
    repetitions: options.quick ? 1 : 5,
    log: options.log,
  });
  const { publish, consume, ratios } = result;
  const markdown = [
    `## Messaging: NATS JetStream (issue 15; ${int(result.messages)} messages of ${result.payloadBytes} bytes, ${result.concurrency} in flight, machine's nats-server)\n`,
    table(
      [
        'Case',
        'raw @nats-io/jetstream msg/s median (min–max)',
        'Milkyway msg/s median (min–max)',
        'Milkyway vs raw, per pair: median (min–max)',
      ],
      [
        [
          'publish, acked by the stream',
          rps(publish.raw),
          rps(publish.bus),
          pairRatio(ratios.publish),
        ],
        ['consume + ack', rps(consume.raw), rps(consume.bus), pairRatio(ratios.consume)],
        [
          'consume + ack, the NATS transport alone (no consumer runtime)',
          rps(consume.raw),
          rps(consume.transport),
          pairRatio(ratios.transport),
        ],
      ],
    ),
    '',
    'Raw publish: `js.publish(subject, bytes, { msgID })`. Bus publish: `bus.publish(topic, payload)` (zod check, CloudEvent, `ce-*` headers, `Nats-Msg-Id`, PRODUCER span with the OpenTelemetry API alone). Raw consume: `consumer.consume({ max_messages: 64 })` with `m.ack()`. Bus consume: `bus.subscribe(topic, handler, { maxInFlight: 64, ordering: "none" })` over the transport\'s pull loop (decode, schema, CONSUMER span, deadline, acks batched per event-loop turn and confirmed by one PING). Transport alone: `transport.subscribe` with a handler that acks. All read the same stream. Same connection options on every side. Ratios are per pair of back-to-back runs.\n',
    `### The consumer runtime alone (no broker; ${int(runtime.messages)} messages from memory, ${runtime.concurrency} in flight)\n`,
    table(
      ['Case', 'µs a message, median (min–max)'],
      [
        ['a delivery handler that acks (decode only)', us(runtime.usPerMessage.transport)],
        ['`bus.subscribe`, ordering none', us(runtime.usPerMessage.busNone)],
        ['`bus.subscribe`, ordering key (500 keys)', us(runtime.usPerMessage.busKey)],
        [
          'the runtime per message (bus minus bare handler, ordering none)',
          us(runtime.runtimeUs.none),
        ],
      ],
    ),
    '',
    'The runtime per message: JSON parse + zod schema, CONSUMER span (API alone), deadline entry, handler context, settle bookkeeping, metrics.\n',
  ];
  const pubLow = ratios.publish.min;
  const conLow = ratios.consume.min;
  return {
    markdown,
    result: { ...result, runtime },
    goals: [
      {
        goal: 'messaging: bus publish (acked) >= 0.9x the raw JetStream client',
        measured: pairRatio(ratios.publish),
        met: Number.isFinite(pubLow) ? pubLow >= 0.9 : undefined,
      },
      {
        goal: 'messaging: bus consume + ack >= 0.9x a raw pull-consumer loop',
        measured: `${pairRatio(ratios.consume)} (the NATS transport alone: ${pairRatio(ratios.transport)}; median of medians ${ratio(consume.bus.median, consume.raw.median)})`,
        met: Number.isFinite(conLow) ? conLow >= 0.9 : undefined,
      },
    ],
  };
}
