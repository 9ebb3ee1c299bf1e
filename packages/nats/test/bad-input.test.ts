import {
  createEventBus,
  type DeadLetter,
  deadLetterTopic,
  defineTopic,
  type EventBus,
  PublishError,
} from '@milkyway/events';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startNatsServer, type TestNatsServer } from '../../../test-support/nats-server.js';
import { NatsPublishError, type NatsTransport, natsTransport } from '../src/index.js';
import { toNatsHeaders } from '../src/transport/nats-headers.js';
import { waitUntil } from './helpers.js';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), quantity: z.number().int().positive() }),
});

const ceHeaders = (id: string, type = 'order.placed.v1') => ({
  'ce-specversion': '1.0',
  'ce-id': id,
  'ce-source': '/legacy',
  'ce-type': type,
  'ce-datacontenttype': 'application/json',
});
const bytes = (text: string) => new TextEncoder().encode(text);

describe('bad input on a NATS destination', () => {
  let server: TestNatsServer;
  let transport: NatsTransport;
  let bus: EventBus;
  const handled: string[] = [];
  const letters: DeadLetter[] = [];

  beforeAll(async () => {
    // max_payload raised to 16 MiB so that a 10 MB message reaches the stream and the consumer;
    // with the default 1 MiB the publish itself is refused (tested below on the default server).
    server = await startNatsServer({ maxPayloadBytes: 16 * 1024 * 1024 });
    transport = await natsTransport({ connection: { servers: server.url } });
    bus = createEventBus({ source: '/stock', transport });
    await bus.subscribe(deadLetterTopic, (event) => void letters.push(event.data), {
      group: 'alerts',
      destination: 'dead-letter.stock',
    });
    await bus.subscribe(orderPlaced, async (event) => void handled.push(event.data.orderId), {
      group: 'stock',
      retry: { maxAttempts: 2, baseDelayMs: 10 },
      ackDeadlineMs: 5_000,
    });
  }, 30_000);
  afterAll(async () => {
    await bus?.close({ drainMs: 1_000 });
    await server?.stop();
  });

  async function publishRaw(headers: Record<string, string>, body: Uint8Array) {
    await jetstream(transport.connection).publish('events.order.placed.v1', body, {
      headers: toNatsHeaders(headers),
    });
  }

  async function expectDeadLetter(id: string | undefined, reason: DeadLetter['reason']) {
    await waitUntil(
      () =>
        letters.some((l) => l.reason === reason && (id === undefined || l.attributes.id === id)),
      `a dead letter with reason ${reason}${id ? ` for ${id}` : ''}`,
      { describe: () => JSON.stringify(letters.map((l) => [l.reason, l.attributes.id])) },
    );
    const letter = letters.find(
      (l) => l.reason === reason && (id === undefined || l.attributes.id === id),
    )!;
    expect(letter.error.length).toBeGreaterThan(10);
    expect(letter.destination).toBe('order.placed.v1');
    expect(letter.group).toBe('stock');
    return letter;
  }

  async function expectStillConsuming(orderId: string) {
    await bus.publish(orderPlaced, { orderId, quantity: 1 });
    await waitUntil(
      () => handled.includes(orderId),
      `the consumer to keep going and handle ${orderId}`,
    );
  }

  it('dead-letters a message with no CloudEvents attributes, keeping its headers and body', async () => {
    await publishRaw({ 'x-origin': 'legacy' }, bytes('{"orderId":"o-raw"}'));
    const letter = await expectDeadLetter(undefined, 'missing-attributes');
    expect(letter.error).toMatch(/ce-id/);
    expect(letter.headers['x-origin']).toBe('legacy');
    expect(Buffer.from(letter.body, 'base64').toString()).toBe('{"orderId":"o-raw"}');
    await expectStillConsuming('after-missing');
  });

  it('dead-letters a CloudEvent of a type the consumer did not subscribe to', async () => {
    await publishRaw(ceHeaders('wrong-type-1', 'order.cancelled.v1'), bytes('{"orderId":"o-1"}'));
    const letter = await expectDeadLetter('wrong-type-1', 'wrong-type');
    expect(letter.error).toMatch(/order\.cancelled\.v1/);
    await expectStillConsuming('after-wrong-type');
  });

  it('dead-letters a payload that fails the schema, saying which field', async () => {
    await publishRaw(ceHeaders('schema-1'), bytes('{"orderId":"o-2","quantity":-3}'));
    const letter = await expectDeadLetter('schema-1', 'schema');
    expect(letter.error).toMatch(/quantity/);
    await expectStillConsuming('after-schema');
  });

  it('dead-letters data that is not valid JSON', async () => {
    await publishRaw(ceHeaders('json-1'), bytes('{"orderId": "o-3", '));
    await expectDeadLetter('json-1', 'invalid-json');
    await expectStillConsuming('after-json');
  });

  it('dead-letters a 10 MB message as too large (body truncated in the letter), and keeps going', async () => {
    await publishRaw(
      ceHeaders('large-1'),
      bytes(JSON.stringify({ orderId: 'x'.repeat(10_000_000), quantity: 1 })),
    );
    const letter = await expectDeadLetter('large-1', 'too-large');
    expect(letter.bodyBytes).toBeGreaterThan(10_000_000);
    expect(letter.bodyTruncated).toBe(true);
    await expectStillConsuming('after-large');
  });

  it('never ran the handler for any of the bad messages', () => {
    expect(handled.every((id) => id.startsWith('after-'))).toBe(true);
  });
});

describe('a 10 MB publish on a server with the default max_payload (1 MiB)', () => {
  it('is refused with a clear, non-retryable PublishError and nothing is stored', async () => {
    const server = await startNatsServer();
    const transport = await natsTransport({ connection: { servers: server.url } });
    const bus = createEventBus({ source: '/orders', transport });
    try {
      const error = await bus
        .publish(orderPlaced, { orderId: 'x'.repeat(10_000_000), quantity: 1 })
        .catch((e: unknown) => e);
      expect(PublishError.is(error)).toBe(true);
      expect((error as PublishError).retryable).toBe(false);
      expect(NatsPublishError.is(error) && error.reason).toBe('too-large');
      expect((error as Error).message).toMatch(/exceeds the NATS server's max_payload/);
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const jsm = await jetstreamManager(transport.connection);
      expect((await jsm.streams.info('EVENTS_order_placed_v1')).state.messages).toBe(0);
    } finally {
      await bus.close({ drainMs: 1_000 });
      await server.stop();
    }
  });
});
