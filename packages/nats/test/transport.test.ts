import { type Delivery, PublishError } from '@milkyway/events';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSubjectMapping, NatsPublishError, natsTransport } from '../src/index.js';
import {
  envelope,
  NATS_URL,
  natsAvailable,
  transportScope,
  uniqueName,
  waitUntil,
} from './helpers.js';

const encoder = new TextEncoder();

const subscribeOptions = (destination: string, group = 'g') => ({
  destinations: [destination],
  group,
  maxInFlight: 8,
  ackDeadlineMs: 5_000,
  maxDeliver: 5,
});

describe.runIf(await natsAvailable())('the JetStream transport', () => {
  const prefix = uniqueName('tr');
  const mapping = defaultSubjectMapping({ subjectPrefix: prefix });
  const scope = transportScope(mapping);
  const destination = scope.destination;
  const open = async () =>
    scope.track(await natsTransport({ connection: { servers: NATS_URL }, mapping }));

  afterAll(scope.cleanUp);

  it('publishes in CloudEvents binary mode with Nats-Msg-Id set to the event id', async () => {
    const t = await open();
    const d = destination('binary');
    await t.publish(d, envelope('evt-1'));
    const jsm = await jetstreamManager(t.connection);
    const stored = await jsm.streams.getMessage(mapping.stream(d), { seq: 1 });
    expect(stored?.header.get('Nats-Msg-Id')).toBe('evt-1');
    expect(stored?.header.get('ce-id')).toBe('evt-1');
    expect(stored?.header.get('ce-type')).toBe('test.happened.v1');
    expect(stored?.header.get('ce-datacontenttype')).toBe('application/json');
    expect(stored?.json()).toEqual({ id: 'evt-1' });
  });

  it('stores a re-published event with the same id once (the duplicate window drops the copy)', async () => {
    const t = await open();
    const d = destination('dedupe');
    await t.publish(d, envelope('same'));
    await t.publish(d, envelope('same'));
    const jsm = await jetstreamManager(t.connection);
    expect((await jsm.streams.info(mapping.stream(d))).state.messages).toBe(1);
  });

  it('creates the stream once when the first publishes to a destination run concurrently', async () => {
    const t = await open();
    const d = destination('concurrent');
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.publish(d, envelope(`c-${i}`))));
    const jsm = await jetstreamManager(t.connection);
    expect((await jsm.streams.info(mapping.stream(d))).state.messages).toBe(20);
  });

  it('delivers each message of a group to one of its replicas, decoded', async () => {
    const a = await open();
    const b = await open();
    const d = destination('group');
    const seen: { replica: string; id: string }[] = [];
    const handler = (replica: string) => (delivery: Delivery) => {
      if (delivery.message.ok) seen.push({ replica, id: delivery.message.envelope.attributes.id });
      void delivery.ack();
    };
    const subA = await a.subscribe(subscribeOptions(d), handler('a'));
    const subB = await b.subscribe(subscribeOptions(d), handler('b'));
    for (let i = 0; i < 50; i++) await a.publish(d, envelope(`e-${i}`));
    await waitUntil(() => seen.length >= 50, 'all 50 messages delivered', {
      describe: () => `${seen.length} delivered`,
    });
    expect(new Set(seen.map((s) => s.id)).size).toBe(50);
    expect(seen).toHaveLength(50);
    await Promise.all([subA.stop(), subB.stop()]);
  });

  it('hands messages to one subscriber in stream order although its pull requests overlap', async () => {
    const t = await open();
    const d = destination('order');
    for (let i = 0; i < 300; i++) await t.publish(d, envelope(`o-${i}`));
    const order: string[] = [];
    const sub = await t.subscribe({ ...subscribeOptions(d), maxInFlight: 16 }, (delivery) => {
      if (delivery.message.ok) order.push(delivery.message.envelope.attributes.id);
      // Settle asynchronously so that slots free up while later pull requests are open.
      setImmediate(() => void delivery.ack());
    });
    await waitUntil(() => order.length === 300, 'all 300 delivered', {
      describe: () => `${order.length} delivered`,
    });
    expect(order).toEqual(Array.from({ length: 300 }, (_, i) => `o-${i}`));
    await sub.stop();
  });

  it('redelivers a nak-ed message after the delay with the attempt count raised', async () => {
    const t = await open();
    const d = destination('nak');
    const attempts: number[] = [];
    const sub = await t.subscribe(subscribeOptions(d), (delivery) => {
      attempts.push(delivery.attempt);
      void (delivery.attempt < 3 ? delivery.nak(50) : delivery.ack());
    });
    await t.publish(d, envelope('retry-me'));
    await waitUntil(() => attempts.length >= 3, 'three attempts', {
      describe: () => `${attempts}`,
    });
    expect(attempts).toEqual([1, 2, 3]);
    await sub.stop();
  });

  it('never hands out more than maxInFlight unsettled deliveries', async () => {
    const t = await open();
    const d = destination('inflight');
    for (let i = 0; i < 40; i++) await t.publish(d, envelope(`m-${i}`));
    const held: Delivery[] = [];
    let maxSeen = 0;
    const sub = await t.subscribe({ ...subscribeOptions(d), maxInFlight: 4 }, (delivery) => {
      held.push(delivery);
      maxSeen = Math.max(maxSeen, held.length);
    });
    let acked = 0;
    while (acked < 40) {
      await waitUntil(() => held.length > 0, 'a delivery to settle', {
        describe: () => `${acked} acked`,
      });
      const next = held.shift()!;
      await next.ack();
      acked++;
    }
    expect(maxSeen).toBeLessThanOrEqual(4);
    await sub.stop();
  });

  it('hands a message without CloudEvents attributes over as poison, with its raw headers and body', async () => {
    const t = await open();
    const d = destination('poison');
    const received: Delivery[] = [];
    const sub = await t.subscribe(subscribeOptions(d), (delivery) => {
      received.push(delivery);
      void delivery.ack();
    });
    await t.publish(d, envelope('ok-first'));
    const js = (await import('@nats-io/jetstream')).jetstream(t.connection);
    await js.publish(mapping.subject(d), encoder.encode('plain text'));
    await waitUntil(() => received.length >= 2, 'both messages delivered');
    const poison = received.find((r) => !r.message.ok)!;
    expect(poison.message).toMatchObject({ ok: false, reason: 'missing-attributes' });
    expect(new TextDecoder().decode(poison.body)).toBe('plain text');
    await sub.stop();
  });

  it('rejects a publish larger than the server max_payload with a non-retryable PublishError', async () => {
    const t = await open();
    const d = destination('large');
    const big = envelope('big', { blob: 'x'.repeat(10 * 1024 * 1024) });
    const error = await t.publish(d, big).catch((e: unknown) => e);
    expect(PublishError.is(error)).toBe(true);
    expect(NatsPublishError.is(error) && error.reason).toBe('too-large');
    expect((error as PublishError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/max_payload/);
  });

  it('reports lag: messages the group has not been delivered yet', async () => {
    const t = await open();
    const d = destination('lag');
    const sub = await t.subscribe({ ...subscribeOptions(d), maxInFlight: 1 }, () => {});
    for (let i = 0; i < 5; i++) await t.publish(d, envelope(`l-${i}`));
    await waitUntil(async () => (await sub.lag?.()) === 4, 'lag of 4 with one delivery held');
    await sub.stop();
  });
});
