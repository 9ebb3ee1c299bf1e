import { createEventBus, defineTopic, type EventBus } from '@milkyway/events';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultSubjectMapping, natsTransport } from '../src/index.js';
import { deleteStreams, NATS_URL, natsAvailable, uniqueName, waitUntil } from './helpers.js';

const job = defineTopic({ name: 'job.queued', version: 1, schema: z.object({ n: z.number() }) });
const TOTAL = 300;

describe.runIf(await natsAvailable())('graceful shutdown during a burst', () => {
  const mapping = defaultSubjectMapping({ subjectPrefix: uniqueName('drain') });
  const buses: EventBus[] = [];
  const open = async () => {
    const bus = createEventBus({
      source: '/jobs',
      transport: await natsTransport({ connection: { servers: NATS_URL }, mapping }),
    });
    buses.push(bus);
    return bus;
  };
  afterAll(async () => {
    const transport = buses[0]?.transport as Awaited<ReturnType<typeof natsTransport>> | undefined;
    if (transport) await deleteStreams(transport.connection, [mapping.stream('job.queued.v1')]);
    await Promise.all(buses.map((b) => b.close({ drainMs: 1_000 })));
  });

  it('lets in-flight handlers finish, acks none twice and loses none: the rest go to the other replica', async () => {
    const publisher = await open();
    const first = await open();
    const second = await open();
    const started = new Map<string, string[]>(); // id -> replicas that started it
    const completed = new Map<string, string[]>(); // id -> replicas that completed it
    const handler = (replica: string) => async (event: { id: string }) => {
      started.set(event.id, [...(started.get(event.id) ?? []), replica]);
      // Simulated work, long enough that the shutdown lands while handlers are running.
      await new Promise((resolve) => setTimeout(resolve, 20));
      completed.set(event.id, [...(completed.get(event.id) ?? []), replica]);
    };
    const options = {
      group: 'workers',
      maxInFlight: 16,
      ackDeadlineMs: 2_000,
      ordering: 'none' as const,
    };
    // The burst is in the stream before the first replica starts on it.
    const ids = await Promise.all(
      Array.from(
        { length: TOTAL },
        async (_, n) => (await publisher.publish(job, { n })).attributes.id,
      ),
    );
    await first.subscribe(job, handler('first'), options);
    await waitUntil(() => completed.size >= 20, 'the first replica to be busy with the burst');

    await first.close({ drainMs: 5_000 });
    const startedByFirst = [...started].filter(([, r]) => r.includes('first')).map(([id]) => id);
    const completedByFirst = [...completed]
      .filter(([, r]) => r.includes('first'))
      .map(([id]) => id);
    // Every handler that had started when close() began has finished by the time it resolved.
    expect(completedByFirst.sort()).toEqual(startedByFirst.sort());
    expect(completedByFirst.length).toBeLessThan(TOTAL);

    await second.subscribe(job, handler('second'), options);
    await waitUntil(
      () => ids.every((id) => completed.has(id)),
      'every message completed by one replica or the other',
      {
        timeoutMs: 30_000,
        describe: () => `${completed.size}/${TOTAL} completed`,
      },
    );
    // No message acknowledged by the first replica came back to the second.
    const twice = [...completed].filter(([, r]) => r.length > 1);
    expect(twice).toEqual([]);
  }, 60_000);
});
