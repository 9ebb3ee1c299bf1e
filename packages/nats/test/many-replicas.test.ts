import {
  createEventBus,
  type DeadLetter,
  deadLetterTopic,
  defineTopic,
  type EventBus,
  memoryInbox,
} from '@milkyway/events';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultSubjectMapping, natsTransport } from '../src/index.js';
import { deleteStreams, NATS_URL, natsAvailable, uniqueName, waitUntil } from './helpers.js';

const TOTAL = 10_000;
const KEYS = 100;
const POISON_EVERY = 500; // 20 poison messages: their handler always fails
const FAILURE_RATE = 0.05; // an attempt of a good message fails with this probability...
const MAX_FAILURES = 2; // ...at most this often per message, so that its 3rd attempt succeeds

const stockMoved = defineTopic({
  name: 'stock.moved',
  version: 1,
  schema: z.object({ key: z.string(), seq: z.number().int(), poison: z.boolean() }),
  key: (p) => p.key,
});

describe.runIf(await natsAvailable())(
  '10,000 messages through 3 consumer replicas with random handler failures',
  () => {
    const mapping = defaultSubjectMapping({ subjectPrefix: uniqueName('many') });
    const buses: EventBus[] = [];

    afterAll(async () => {
      const transport = buses[0]?.transport as
        | Awaited<ReturnType<typeof natsTransport>>
        | undefined;
      if (transport) {
        await deleteStreams(transport.connection, [
          mapping.stream('stock.moved.v1'),
          mapping.stream('dead-letter.stock'),
        ]);
      }
      await Promise.all(buses.map((b) => b.close({ drainMs: 2_000 })));
    });

    it('applies every effect exactly once, dead-letters the poison ones, loses none and keeps per-key order within each replica', async () => {
      const open = async () => {
        const bus = createEventBus({
          source: '/stock',
          transport: await natsTransport({ connection: { servers: NATS_URL }, mapping }),
        });
        buses.push(bus);
        return bus;
      };
      const inbox = memoryInbox(); // shared: the replicas' common database
      const effects = new Map<string, number>(); // event id -> times its effect was applied
      const lastSeqByReplicaKey = new Map<string, number>();
      const orderViolations: string[] = [];
      const letters: DeadLetter[] = [];
      const failures = new Map<string, number>();

      const publisher = await open();
      const expected = new Set<string>();
      const poison = new Set<string>();
      for (let replica = 0; replica < 3; replica++) {
        const bus = await open();
        await bus.subscribe(
          stockMoved,
          async (event) => {
            const { key, seq } = event.data;
            if (event.data.poison) throw new Error(`poison ${key}#${seq}`);
            // A transient failure rolls back before the effect, like a failed transaction.
            const failed = failures.get(event.id) ?? 0;
            if (failed < MAX_FAILURES && Math.random() < FAILURE_RATE) {
              failures.set(event.id, failed + 1);
              throw new Error('transient failure');
            }
            effects.set(event.id, (effects.get(event.id) ?? 0) + 1);
            const at = `${replica}/${key}`;
            if ((lastSeqByReplicaKey.get(at) ?? -1) > seq) orderViolations.push(`${at}#${seq}`);
            lastSeqByReplicaKey.set(at, seq);
          },
          {
            group: 'stock',
            inbox,
            maxInFlight: 64,
            ackDeadlineMs: 10_000,
            retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
          },
        );
      }
      await publisher.subscribe(deadLetterTopic, (event) => void letters.push(event.data), {
        group: 'alerts',
        destination: 'dead-letter.stock',
      });

      // Each key's messages are published in order; the keys in parallel.
      const perKey = TOTAL / KEYS;
      await Promise.all(
        Array.from({ length: KEYS }, async (_, k) => {
          for (let i = 0; i < perKey; i++) {
            const seq = i;
            const isPoison = (k * perKey + i) % POISON_EVERY === 0;
            const sent = await publisher.publish(stockMoved, {
              key: `k${k}`,
              seq,
              poison: isPoison,
            });
            (isPoison ? poison : expected).add(sent.attributes.id);
          }
        }),
      );

      await waitUntil(
        () => effects.size === expected.size && letters.length === poison.size,
        'every good message handled and every poison one dead-lettered',
        {
          timeoutMs: 60_000,
          describe: () =>
            `${effects.size}/${expected.size} handled, ${letters.length}/${poison.size} dead letters`,
        },
      );
      expect([...effects.values()].every((n) => n === 1)).toBe(true);
      expect([...expected].filter((id) => !effects.has(id))).toEqual([]);
      expect(new Set(letters.map((l) => l.attributes.id))).toEqual(poison);
      expect(letters.every((l) => l.reason === 'handler-failed' && l.attempts === 3)).toBe(true);
      expect(orderViolations).toEqual([]);
      // The run did exercise retries: about 5% of the messages failed at least once.
      expect(failures.size).toBeGreaterThan(TOTAL * FAILURE_RATE * 0.5);
    }, 120_000);
  },
);
