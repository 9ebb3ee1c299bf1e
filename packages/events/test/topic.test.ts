import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCloudEvent, defineTopic, EventSchemaError } from '../src/index.js';

const schema = z.object({ orderId: z.string(), note: z.string().default('none') });

describe('topics', () => {
  it('derives the CloudEvents type and the destination from name and version', () => {
    const topic = defineTopic({ name: 'order.placed', version: 2, schema });
    expect([topic.type, topic.destination]).toEqual(['order.placed.v2', 'order.placed.v2']);
  });

  it('refuses a name that is not dot-separated lower-case words', () => {
    expect(() => defineTopic({ name: 'Order Placed', version: 1, schema })).toThrow(/lower-case/);
  });

  it('refuses a version that is not a positive integer', () => {
    expect(() => defineTopic({ name: 'order.placed', version: 0, schema })).toThrow(
      /positive integer/,
    );
  });

  it('reports schema issues with their path instead of throwing', () => {
    const result = defineTopic({ name: 'order.placed', version: 1, schema }).parse({ orderId: 7 });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('orderId:') });
  });
});

describe('createCloudEvent', () => {
  const topic = defineTopic({ name: 'order.placed', version: 1, schema, key: (o) => o.orderId });

  it('encodes the schema output (defaults applied) with the attributes of the topic', () => {
    const envelope = createCloudEvent(
      topic,
      { orderId: 'o-1' },
      { source: '/orders', clock: () => 0 },
    );
    expect(envelope.attributes).toMatchObject({
      specversion: '1.0',
      source: '/orders',
      type: 'order.placed.v1',
      time: '1970-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      partitionkey: 'o-1',
    });
    expect(JSON.parse(new TextDecoder().decode(envelope.data))).toEqual({
      orderId: 'o-1',
      note: 'none',
    });
  });

  it('keeps a given id, subject and key', () => {
    const envelope = createCloudEvent(
      topic,
      { orderId: 'o-1' },
      { source: '/o', id: 'fixed', subject: 's', key: 'k' },
    );
    expect(envelope.attributes).toMatchObject({ id: 'fixed', subject: 's', partitionkey: 'k' });
  });

  it('throws an EventSchemaError naming the type for an invalid payload', () => {
    expect(() => createCloudEvent(topic, { orderId: 1 } as never, { source: '/o' })).toThrowError(
      EventSchemaError,
    );
  });
});
