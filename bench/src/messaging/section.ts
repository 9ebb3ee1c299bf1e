import { int, ratio, rps, table } from '../lib/stats.js';
import { type MessagingBenchResult, runMessagingBench } from './nats-bench.js';

/** A goal line for the run's summary table. */
export interface MessagingGoal {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

/**
 * The messaging section: publish (acked) and consume + ack, Milkyway bus over the NATS
 * transport vs the raw @nats-io/jetstream client, as a markdown table and its goals.
 */
export async function messagingSection(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<{ markdown: string[]; goals: MessagingGoal[]; result: MessagingBenchResult }> {
  const result = await runMessagingBench({
    messages: options.quick ? 3_000 : 20_000,
    concurrency: 64,
    repetitions: options.quick ? 1 : 3,
    log: options.log,
  });
  const { publish, consume } = result;
  const pub = publish.bus.median / publish.raw.median;
  const con = consume.bus.median / consume.raw.median;
  const markdown = [
    `## Messaging: NATS JetStream (issue 15; ${int(result.messages)} messages of ${result.payloadBytes} bytes, ${result.concurrency} in flight, machine's nats-server)\n`,
    table(
      [
        'Case',
        'raw @nats-io/jetstream msg/s median (min–max)',
        'Milkyway bus msg/s median (min–max)',
        'bus vs raw',
      ],
      [
        [
          'publish, acked by the stream',
          rps(publish.raw),
          rps(publish.bus),
          ratio(publish.bus.median, publish.raw.median),
        ],
        [
          'consume + ack',
          rps(consume.raw),
          rps(consume.bus),
          ratio(consume.bus.median, consume.raw.median),
        ],
        [
          'consume + ack, the NATS transport alone (no consumer runtime)',
          rps(consume.raw),
          rps(consume.transport),
          ratio(consume.transport.median, consume.raw.median),
        ],
      ],
    ),
    '',
    'Raw publish: `js.publish(subject, bytes, { msgID })`. Bus publish: `bus.publish(topic, payload)` (zod check, CloudEvent, `ce-*` headers, `Nats-Msg-Id`, PRODUCER span with the OpenTelemetry API alone). Raw consume: `consumer.consume({ max_messages: 64 })` with `m.ack()`. Bus consume: `bus.subscribe(topic, handler, { maxInFlight: 64, ordering: "none" })` over the transport\'s pull loop (decode, schema, CONSUMER span, ack confirmed by a flush). Transport alone: `transport.subscribe` with a handler that acks (pull loop, CloudEvent decode, ack confirmed by a flush). All read the same stream. Same connection options on every side.\n',
  ];
  return {
    markdown,
    result,
    goals: [
      {
        goal: 'messaging: bus publish (acked) >= 0.9x the raw JetStream client',
        measured: `${pub.toFixed(2)}x`,
        met: Number.isFinite(pub) ? pub >= 0.9 : undefined,
      },
      {
        goal: 'messaging: bus consume + ack >= 0.9x a raw pull-consumer loop',
        measured: `${con.toFixed(2)}x (the NATS transport alone: ${ratio(consume.transport.median, consume.raw.median)})`,
        met: Number.isFinite(con) ? con >= 0.9 : undefined,
      },
    ],
  };
}
