import { int, ratio, rps, table } from '../lib/stats.js';
import { type RelayBenchResult, runRelayBench } from './relay-bench.js';

/** A goal line for the run's summary table. */
export interface RelayGoal {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : 'n/a');

/**
 * The outbox relay section (issue 16): PostgreSQL → JetStream throughput of @milkyway/postgres'
 * relay vs a plain FOR UPDATE SKIP LOCKED loop, and commit → handler latency with NOTIFY and
 * with polling only.
 */
export async function relaySection(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<{ markdown: string[]; goals: RelayGoal[]; result: RelayBenchResult }> {
  const events = options.quick ? 2_000 : 10_000;
  const latencyEvents = options.quick ? 100 : 300;
  options.log(
    `§relay: ${events} outbox rows to JetStream, relay vs SKIP LOCKED loop; latency over ${latencyEvents} events`,
  );
  const result = await runRelayBench({
    events,
    repetitions: options.quick ? 2 : 3,
    latencyEvents,
    keys: 500,
    batchSize: 256,
  });
  const { relay, loop, latency } = result;
  const markdown = [
    `## Outbox relay: PostgreSQL → NATS JetStream (issue 16; ${int(events)} committed rows, 500 keys, batches of 256, machine's PostgreSQL 15 and nats-server)\n`,
    table(
      ['Case', 'events/s median (min–max)', 'vs loop'],
      [
        [
          'plain loop: FOR UPDATE SKIP LOCKED, raw js.publish (all in parallel), DELETE',
          rps(loop),
          '1.00x',
        ],
        [
          '@milkyway/postgres relay through @milkyway/nats (per-key order kept)',
          rps(relay),
          ratio(relay.median, loop.median),
        ],
      ],
    ),
    '',
    table(
      ['Commit → consumer handler', 'p50', 'p99'],
      [
        [
          'woken by LISTEN/NOTIFY (polling fallback 1 s)',
          ms(latency.notify.p50),
          ms(latency.notify.p99),
        ],
        [
          `polling only, every ${latency.polling.pollIntervalMs} ms`,
          ms(latency.polling.p50),
          ms(latency.polling.p99),
        ],
      ],
    ),
    '',
    'Both sides publish the same CloudEvents binary-mode headers with `Nats-Msg-Id` = event id to the same stream and delete the rows. The relay also holds the leader lock, publishes one key at a time (keys in parallel), and folds the delete of a full batch into the next read. Latency: one event committed every 5–15 ms, consumer `bus.subscribe` over the NATS transport in the same process.\n',
  ];
  return {
    markdown,
    result,
    goals: [
      {
        goal: 'relay: outbox → JetStream >= 0.8x a plain SKIP LOCKED loop',
        measured: ratio(relay.median, loop.median),
        met: Number.isFinite(result.ratio) ? result.ratio >= 0.8 : undefined,
      },
    ],
  };
}
