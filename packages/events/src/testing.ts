import { describe, expect, it } from 'vitest';
import type { CloudEventEnvelope } from './cloudevents/envelope.js';
import { PublishError } from './errors/publish-error.js';
import type { Delivery, SubscribeOptions, Subscription, Transport } from './transport/transport.js';

/**
 * What {@link describeTransportContract} needs from a transport under test.
 *
 * @example
 * ```ts
 * import { createMemoryBroker } from '@milkyway/events';
 * import type { TransportContractHarness } from '@milkyway/events/testing';
 *
 * const broker = createMemoryBroker();
 * const harness: TransportContractHarness = {
 *   connect: () => broker.connect(),
 *   publishRaw: async (destination, headers, body) => {
 *     broker.connect().inject(destination, { headers, body });
 *   },
 * };
 * ```
 */
export interface TransportContractHarness {
  /** A new connection to the same broker (one per simulated replica). The suite closes it. */
  connect(): Transport | Promise<Transport>;
  /** Puts a raw message on a destination as another client would (headers + body), unchecked. */
  publishRaw(destination: string, headers: Record<string, string>, body: Uint8Array): Promise<void>;
  /** A destination name for one test (default: `contract.<random>.<name>`, unique per test). */
  destination?(name: string): string;
  /** Called after each test (delete streams, ...). */
  cleanup?(): Promise<void>;
}

/**
 * Options of {@link describeTransportContract}.
 *
 * @example
 * ```ts
 * import type { TransportContractOptions } from '@milkyway/events/testing';
 *
 * const options: TransportContractOptions = { ackDeadlineMs: 1_000, waitMs: 10_000 };
 * ```
 */
export interface TransportContractOptions {
  /** The ack deadline the tests use (default 1 000 ms; brokers with a minimum pick theirs). */
  ackDeadlineMs?: number;
  /** Bound of every wait for a delivery (default 10 000 ms): a failing wait says what it waited for. */
  waitMs?: number;
  /** Skip the whole suite with this reason (e.g. the broker is not reachable). */
  skip?: string | false;
}

/**
 * Settles a delivery in the background from a handler. The tests assert on what is delivered
 * (a failed ack shows up as a redelivery); a settle that the world outlives (closed before the
 * broker confirmed it) must not surface as an unhandled rejection of the test run.
 */
function background(settling: Promise<void>): void {
  settling.catch(() => {});
}

/**
 * The contract every {@link Transport} must meet, as a vitest suite: durable publish, delivery
 * of the CloudEvent intact, groups sharing work, independent groups, ack, nak and delayed nak,
 * redelivery after the ack deadline, `working()`, `maxInFlight`, `maxDeliver`, malformed input
 * reported (not thrown), stop and close. Run it against each transport (vitest is an optional
 * peer dependency of this entry point only).
 *
 * @example
 * ```ts
 * import { createMemoryBroker } from '@milkyway/events';
 * import { describeTransportContract } from '@milkyway/events/testing';
 *
 * describeTransportContract('memory', () => {
 *   const broker = createMemoryBroker();
 *   return {
 *     connect: () => broker.connect(),
 *     publishRaw: async (destination, headers, body) => broker.connect().inject(destination, { headers, body }),
 *   };
 * });
 * ```
 */
export function describeTransportContract(
  name: string,
  harnessFactory: () => TransportContractHarness | Promise<TransportContractHarness>,
  options: TransportContractOptions = {},
): void {
  const ackDeadlineMs = options.ackDeadlineMs ?? 1_000;
  const waitMs = options.waitMs ?? 10_000;
  const testTimeout = waitMs * 3 + ackDeadlineMs * 4;
  const suite = options.skip ? describe.skip : describe;

  suite(`transport contract: ${name}${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    const open = async () => {
      const harness = await harnessFactory();
      const connections: Transport[] = [];
      const subscriptions: Subscription[] = [];
      const random = Math.random().toString(36).slice(2, 10);
      const destination = (base: string) =>
        harness.destination ? harness.destination(base) : `contract.${random}.${base}`;
      const connect = async () => {
        const transport = await harness.connect();
        connections.push(transport);
        return transport;
      };
      const subscribe = async (
        transport: Transport,
        opts: Partial<SubscribeOptions> & { destinations: readonly string[] },
        onDelivery: (delivery: Delivery) => void,
      ) => {
        const subscription = await transport.subscribe(
          { group: 'g', maxInFlight: 16, ackDeadlineMs, maxDeliver: 10, ...opts },
          onDelivery,
        );
        subscriptions.push(subscription);
        return subscription;
      };
      const close = async () => {
        for (const s of subscriptions) await s.stop().catch(() => undefined);
        for (const c of connections) await c.close().catch(() => undefined);
        await harness.cleanup?.();
      };
      return { harness, connect, subscribe, destination, close };
    };
    type World = Awaited<ReturnType<typeof open>>;
    const withWorld = (title: string, body: (world: World) => Promise<void>) =>
      it(
        title,
        async () => {
          const world = await open();
          try {
            await body(world);
          } finally {
            await world.close();
          }
        },
        testTimeout,
      );

    withWorld('delivers a published event with every attribute and the data intact', async (w) => {
      const t = await w.connect();
      const dest = w.destination('intact');
      const got: Delivery[] = [];
      await w.subscribe(t, { destinations: [dest] }, (d) => {
        got.push(d);
        background(d.ack());
      });
      const sent = event('intact', { subject: 'Euro € "q" 100%', extensions: { tenant: 'acme' } });
      await t.publish(dest, sent);
      await waitFor(() => got.length === 1, 'the event is delivered', waitMs);
      const delivery = got[0]!;
      expect(delivery.destination).toBe(dest);
      expect(delivery.attempt).toBe(1);
      expect(delivery.message.ok).toBe(true);
      if (delivery.message.ok) {
        expect(delivery.message.envelope.attributes).toEqual(sent.attributes);
        expect(text(delivery.message.envelope.data)).toBe(text(sent.data));
      }
      expect(delivery.headers['ce-id']).toBe(sent.attributes.id);
    });

    withWorld('keeps events published before a group first subscribes (durable)', async (w) => {
      const t = await w.connect();
      const dest = w.destination('durable');
      await w.subscribe(t, { destinations: [dest], group: 'early' }, (d) => background(d.ack()));
      await t.publish(dest, event('before'));
      const got: string[] = [];
      await w.subscribe(t, { destinations: [dest], group: 'late' }, (d) => {
        got.push(idOf(d));
        background(d.ack());
      });
      await waitFor(() => got.length === 1, 'the late group gets the earlier event', waitMs);
      expect(got).toEqual(['before']);
    });

    withWorld('shares a group between subscribers and gives each group every event', async (w) => {
      const dest = w.destination('groups');
      const a: string[] = [];
      const b: string[] = [];
      const other: string[] = [];
      const onto = (list: string[]) => (d: Delivery) => {
        list.push(idOf(d));
        background(d.ack());
      };
      await w.subscribe(await w.connect(), { destinations: [dest], group: 'shared' }, onto(a));
      await w.subscribe(await w.connect(), { destinations: [dest], group: 'shared' }, onto(b));
      await w.subscribe(await w.connect(), { destinations: [dest], group: 'other' }, onto(other));
      const publisher = await w.connect();
      for (let i = 0; i < 20; i++) await publisher.publish(dest, event(`e${i}`));
      await waitFor(
        () => a.length + b.length >= 20 && other.length >= 20,
        'both groups get all 20 events',
        waitMs,
      );
      expect(new Set([...a, ...b]).size).toBe(20);
      expect(a.length + b.length).toBe(20);
      expect(new Set(other).size).toBe(20);
    });

    withWorld('redelivers a nak-ed message with a higher attempt count', async (w) => {
      const t = await w.connect();
      const dest = w.destination('nak');
      const attempts: number[] = [];
      await w.subscribe(t, { destinations: [dest] }, (d) => {
        attempts.push(d.attempt);
        background(d.attempt === 1 ? d.nak() : d.ack());
      });
      await t.publish(dest, event('n'));
      await waitFor(() => attempts.length === 2, 'the redelivery', waitMs);
      expect(attempts).toEqual([1, 2]);
    });

    withWorld('redelivers a message nak-ed with a delay', async (w) => {
      const t = await w.connect();
      const dest = w.destination('nakdelay');
      const attempts: number[] = [];
      await w.subscribe(t, { destinations: [dest] }, (d) => {
        attempts.push(d.attempt);
        background(d.attempt === 1 ? d.nak(200) : d.ack());
      });
      await t.publish(dest, event('n'));
      await waitFor(() => attempts.length === 2, 'the delayed redelivery', waitMs);
      expect(attempts).toEqual([1, 2]);
    });

    withWorld('does not redeliver an acknowledged message', async (w) => {
      const t = await w.connect();
      const dest = w.destination('ack');
      const got: string[] = [];
      await w.subscribe(t, { destinations: [dest], maxInFlight: 1 }, (d) => {
        got.push(idOf(d));
        background(d.ack());
      });
      await t.publish(dest, event('first'));
      await waitFor(() => got.length === 1, 'the first event', waitMs);
      await sleep(ackDeadlineMs * 1.5); // past the deadline: an unacknowledged one would be back
      await t.publish(dest, event('marker'));
      await waitFor(() => got.includes('marker'), 'the marker event', waitMs);
      expect(got).toEqual(['first', 'marker']);
    });

    withWorld(
      'redelivers an unsettled message to another subscriber after the ack deadline',
      async (w) => {
        const dest = w.destination('deadline');
        const seen: Array<[string, number]> = [];
        const crashed = await w.connect();
        const crashedSub = await w.subscribe(crashed, { destinations: [dest] }, (d) => {
          seen.push(['crashed', d.attempt]); // never settled: like a process that died mid-handler
        });
        const publisher = await w.connect();
        await publisher.publish(dest, event('x'));
        await waitFor(() => seen.length === 1, 'the first delivery', waitMs);
        await crashedSub.stop();
        await w.subscribe(await w.connect(), { destinations: [dest] }, (d) => {
          seen.push(['survivor', d.attempt]);
          background(d.ack());
        });
        await waitFor(() => seen.length === 2, 'the redelivery after the ack deadline', waitMs);
        expect(seen).toEqual([
          ['crashed', 1],
          ['survivor', 2],
        ]);
      },
    );

    withWorld('keeps a message while working() extends its deadline', async (w) => {
      const t = await w.connect();
      const dest = w.destination('working');
      const attempts: number[] = [];
      await w.subscribe(t, { destinations: [dest], maxInFlight: 1 }, (d) => {
        attempts.push(d.attempt);
        if (idOf(d) !== 'long') return background(d.ack());
        background(
          (async () => {
            for (let i = 0; i < 6; i++) {
              await sleep(ackDeadlineMs / 3);
              await d.working();
            }
            await d.ack();
          })(),
        );
      });
      await t.publish(dest, event('long'));
      await t.publish(dest, event('marker'));
      await waitFor(() => attempts.length === 2, 'the marker after the long message', waitMs * 2);
      expect(attempts).toEqual([1, 1]);
    });

    withWorld('never has more than maxInFlight unsettled deliveries', async (w) => {
      const t = await w.connect();
      const dest = w.destination('inflight');
      const held: Delivery[] = [];
      let peak = 0;
      let unsettled = 0;
      await w.subscribe(t, { destinations: [dest], maxInFlight: 2 }, (d) => {
        unsettled++;
        peak = Math.max(peak, unsettled);
        held.push(d);
      });
      for (let i = 0; i < 6; i++) await t.publish(dest, event(`m${i}`));
      let acked = 0;
      while (acked < 6) {
        await waitFor(() => held.length > 0, `delivery ${acked + 1} of 6`, waitMs);
        const d = held.shift()!;
        unsettled--;
        await d.ack();
        acked++;
      }
      expect(peak).toBe(2);
    });

    withWorld('stops delivering a message after maxDeliver deliveries', async (w) => {
      const t = await w.connect();
      const dest = w.destination('maxdeliver');
      const got: string[] = [];
      await w.subscribe(t, { destinations: [dest], maxDeliver: 2, maxInFlight: 1 }, (d) => {
        got.push(`${idOf(d)}#${d.attempt}`);
        background(idOf(d) === 'bad' ? d.nak() : d.ack());
      });
      await t.publish(dest, event('bad'));
      await waitFor(() => got.length === 2, 'two deliveries of the failing message', waitMs);
      await t.publish(dest, event('marker'));
      await waitFor(() => got.includes('marker#1'), 'the marker', waitMs);
      await sleep(ackDeadlineMs);
      expect(got.filter((g) => g.startsWith('bad'))).toEqual(['bad#1', 'bad#2']);
    });

    withWorld(
      'reports a message that is not a CloudEvent as a poison delivery with its raw headers',
      async (w) => {
        const t = await w.connect();
        const dest = w.destination('poison');
        const got: Delivery[] = [];
        await w.subscribe(t, { destinations: [dest] }, (d) => {
          got.push(d);
          background(d.ack());
        });
        await w.harness.publishRaw(dest, { 'x-origin': 'legacy' }, new TextEncoder().encode('hi'));
        await waitFor(() => got.length === 1, 'the raw message', waitMs);
        const delivery = got[0]!;
        expect(delivery.message).toMatchObject({ ok: false, reason: 'missing-attributes' });
        expect(delivery.headers['x-origin']).toBe('legacy');
        expect(text(delivery.body)).toBe('hi');
      },
    );

    withWorld('delivers nothing after a subscription stops', async (w) => {
      const t = await w.connect();
      const dest = w.destination('stop');
      const got: string[] = [];
      const subscription = await w.subscribe(t, { destinations: [dest], group: 'stopped' }, (d) => {
        got.push(idOf(d));
        background(d.ack());
      });
      await t.publish(dest, event('one'));
      await waitFor(() => got.length === 1, 'the first event', waitMs);
      await subscription.stop();
      const witness: string[] = [];
      await w.subscribe(t, { destinations: [dest], group: 'witness' }, (d) => {
        witness.push(idOf(d));
        background(d.ack());
      });
      await t.publish(dest, event('two'));
      await waitFor(() => witness.includes('two'), 'another group sees the second event', waitMs);
      expect(got).toEqual(['one']);
    });

    withWorld('reports health and rejects a publish after close with a PublishError', async (w) => {
      const t = await w.connect();
      expect(t.health().connected).toBe(true);
      await t.close();
      expect(t.health().connected).toBe(false);
      const error = await t
        .publish(w.destination('closed'), event('late'))
        .catch((e: unknown) => e);
      expect(PublishError.is(error)).toBe(true);
    });
  });
}

function event(
  id: string,
  extra: { subject?: string; extensions?: Record<string, string> } = {},
): CloudEventEnvelope {
  return {
    attributes: {
      specversion: '1.0',
      id,
      source: '/contract',
      type: 'contract.event.v1',
      time: '2026-01-31T12:00:00.000Z',
      datacontenttype: 'application/json',
      partitionkey: 'k',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      ...extra,
    },
    data: new TextEncoder().encode(JSON.stringify({ id })),
  };
}

function idOf(delivery: Delivery): string {
  return delivery.message.ok ? delivery.message.envelope.attributes.id : '(poison)';
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, what: string, waitMs: number): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > waitMs)
      throw new Error(`gave up after ${waitMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
