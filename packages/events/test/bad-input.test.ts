import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventBus,
  type DeadLetter,
  deadLetterTopic,
  defineTopic,
  encodeBinary,
  memoryTransport,
} from '../src/index.js';
import { until } from './support.js';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), quantity: z.number().int().positive() }),
});

const text = new TextEncoder();
const ceHeaders = (type: string = orderPlaced.type) =>
  encodeBinary(
    {
      attributes: {
        specversion: '1.0',
        id: crypto.randomUUID(),
        source: '/legacy',
        type,
        datacontenttype: 'application/json',
      },
      data: new Uint8Array(),
    },
    'nats',
  ).headers;

async function consumerWithDeadLetters() {
  const transport = memoryTransport();
  const bus = createEventBus({ source: '/catalog', transport });
  const letters: DeadLetter[] = [];
  const handled: string[] = [];
  await bus.subscribe(deadLetterTopic, (e) => void letters.push(e.data), {
    group: 'watch',
    destination: 'dead-letter.catalog',
  });
  await bus.subscribe(orderPlaced, (e) => void handled.push(e.data.orderId), {
    group: 'catalog',
    maxMessageBytes: 1_048_576,
  });
  const inject = (headers: Record<string, string>, body: Uint8Array) =>
    transport.inject(orderPlaced.destination, { headers, body });
  return { bus, letters, handled, inject };
}

describe('bad input reaches the dead letter with a clear reason and the consumer keeps going', () => {
  it.each([
    [
      'a message with no CloudEvents attributes',
      {},
      text.encode('{"orderId":"o","quantity":1}'),
      'missing-attributes',
      'ce-id',
    ],
    [
      'a wrong type',
      ceHeaders('invoice.paid.v1'),
      text.encode('{}'),
      'wrong-type',
      'invoice.paid.v1',
    ],
    [
      'a payload that fails the schema',
      ceHeaders(),
      text.encode('{"orderId":"o","quantity":0}'),
      'schema',
      'quantity',
    ],
    ['invalid JSON', ceHeaders(), text.encode('{"orderId":'), 'invalid-json', 'JSON'],
    [
      'a 10 MB payload',
      ceHeaders(),
      new Uint8Array(10 * 1024 * 1024).fill(0x20),
      'too-large',
      '10485760 bytes',
    ],
  ] as const)('%s', async (_name, headers, body, reason, mentions) => {
    const { bus, letters, handled, inject } = await consumerWithDeadLetters();
    inject({ ...headers }, body);
    await bus.publish(orderPlaced, { orderId: 'after', quantity: 1 });
    await until(
      () => letters.length === 1 && handled.length === 1,
      'the dead letter and the next event',
    );
    expect(letters[0]).toMatchObject({
      reason,
      group: 'catalog',
      destination: 'order.placed.v1',
      attempts: 0,
    });
    expect(letters[0]!.error).toContain(mentions);
    expect(letters[0]!.bodyBytes).toBe(body.byteLength);
    expect(handled).toEqual(['after']);
    await bus.close();
  });

  it('keeps the original headers and a truncated copy of a huge body in the dead letter', async () => {
    const { bus, letters, inject } = await consumerWithDeadLetters();
    inject({ ...ceHeaders(), 'x-origin': 'legacy' }, new Uint8Array(10 * 1024 * 1024));
    await until(() => letters.length === 1, 'the dead letter');
    expect(letters[0]!.headers['x-origin']).toBe('legacy');
    expect(letters[0]!.bodyTruncated).toBe(true);
    expect(Buffer.from(letters[0]!.body, 'base64').byteLength).toBe(262_144);
    await bus.close();
  });
});
