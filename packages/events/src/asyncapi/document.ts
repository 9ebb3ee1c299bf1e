import { z } from 'zod';
import type { Topic } from '../topic.js';

/**
 * What {@link asyncApiDocument} describes: the service, and the topics it publishes and
 * consumes.
 *
 * @example
 * ```ts
 * import { type AsyncApiOptions, defineTopic } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const orderPlaced = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ orderId: z.string() }) });
 * const options: AsyncApiOptions = { title: 'orders', version: '1.4.0', publishes: [orderPlaced] };
 * ```
 */
export interface AsyncApiOptions {
  /** The service's name. */
  title: string;
  /** The service's version. */
  version: string;
  /** What the service does. */
  description?: string;
  /** Topics the service publishes (`send` operations). */
  publishes?: readonly Topic[];
  /** Topics the service consumes (`receive` operations), optionally with the consumer group. */
  consumes?: ReadonlyArray<Topic | { topic: Topic; group: string }>;
  /** AsyncAPI servers, e.g. `{ nats: { host: 'nats.internal:4222', protocol: 'nats' } }`. */
  servers?: Record<string, { host: string; protocol: string; description?: string }>;
}

/** An AsyncAPI 3.0 document, as plain JSON. */
export type AsyncApiDocument = Record<string, unknown> & { asyncapi: '3.0.0' };

const HEADER = /[^a-zA-Z0-9._-]/g;
const id = (value: string) => value.replace(HEADER, '_');

/** The CloudEvents binary-mode headers every message carries, as a JSON Schema. */
function cloudEventHeaders(topic: Topic): Record<string, unknown> {
  const text = (description: string) => ({ type: 'string', description });
  return {
    type: 'object',
    required: ['ce-specversion', 'ce-id', 'ce-source', 'ce-type'],
    properties: {
      'ce-specversion': { type: 'string', const: '1.0', description: 'CloudEvents spec version.' },
      'ce-id': text('Event id, unique per source; the deduplication key.'),
      'ce-source': text('The producing service (URI-reference).'),
      'ce-type': { type: 'string', const: topic.type, description: 'Event type.' },
      'ce-time': { type: 'string', format: 'date-time', description: 'When it happened.' },
      'ce-subject': text('What the event is about, in the context of the source.'),
      'ce-partitionkey': text('Ordering key: same key, handled in order.'),
      'ce-traceparent': text('W3C trace context of the producer (Distributed Tracing extension).'),
      'ce-tracestate': text('W3C trace state (Distributed Tracing extension).'),
    },
  };
}

function payloadSchema(topic: Topic): Record<string, unknown> {
  // AsyncAPI's default schema format is a superset of JSON Schema draft 07.
  const schema = z.toJSONSchema(topic.schema, {
    target: 'draft-7',
    unrepresentable: 'any',
    io: 'output',
  }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/**
 * Builds the AsyncAPI 3.0 document of a service's events from the same zod schemas that
 * validate them: one channel per destination, one message per topic (payload from
 * `z.toJSONSchema`, CloudEvents headers), a `send` operation per published topic and a
 * `receive` operation per consumed one. Serve it beside `/openapi.json` with
 * {@link asyncApiHandler}.
 *
 * @example
 * ```ts
 * import { asyncApiDocument, defineTopic } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const orderPlaced = defineTopic({
 *   name: 'order.placed',
 *   version: 1,
 *   description: 'An order was accepted.',
 *   schema: z.object({ orderId: z.string(), quantity: z.number().int().positive() }),
 * });
 * const stockReserved = defineTopic({ name: 'stock.reserved', version: 1, schema: z.object({ orderId: z.string() }) });
 *
 * const document = asyncApiDocument({
 *   title: 'catalog',
 *   version: '1.4.0',
 *   consumes: [{ topic: orderPlaced, group: 'catalog' }],
 *   publishes: [stockReserved],
 * });
 * ```
 */
export function asyncApiDocument(options: AsyncApiOptions): AsyncApiDocument {
  const channels: Record<string, Record<string, unknown>> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  const channelFor = (topic: Topic) => {
    const channelId = id(topic.destination);
    const messageId = id(topic.type);
    messages[messageId] ??= {
      name: topic.type,
      title: topic.name,
      ...(topic.description ? { summary: topic.description } : {}),
      contentType: 'application/json',
      headers: cloudEventHeaders(topic),
      payload: payloadSchema(topic),
      correlationId: { location: '$message.header#/ce-id' },
    };
    channels[channelId] ??= { address: topic.destination, messages: {} };
    const channel = channels[channelId];
    (channel.messages as Record<string, unknown>)[messageId] = {
      $ref: `#/components/messages/${messageId}`,
    };
    return { channelId, messageId };
  };
  const operation = (action: 'send' | 'receive', topic: Topic, group?: string) => {
    const { channelId, messageId } = channelFor(topic);
    const operationId = id(`${action}.${topic.type}${group ? `.${group}` : ''}`);
    operations[operationId] = {
      action,
      channel: { $ref: `#/channels/${channelId}` },
      messages: [{ $ref: `#/channels/${channelId}/messages/${messageId}` }],
      summary:
        action === 'send'
          ? `Publishes ${topic.type}.`
          : `Consumes ${topic.type}${group ? ` in group ${group}` : ''}.`,
    };
  };

  for (const topic of options.publishes ?? []) operation('send', topic);
  for (const entry of options.consumes ?? []) {
    if ('topic' in entry) operation('receive', entry.topic, entry.group);
    else operation('receive', entry);
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: options.title,
      version: options.version,
      ...(options.description ? { description: options.description } : {}),
    },
    defaultContentType: 'application/json',
    ...(options.servers ? { servers: options.servers } : {}),
    channels,
    operations,
    components: { messages },
  };
}

/**
 * A request handler that serves the document as JSON: mount it next to `/openapi.json` (it
 * is a plain `() => Response`, so it fits a Hono route or any fetch-style router). The JSON is
 * serialized once.
 *
 * @example
 * ```ts
 * import { asyncApiDocument, asyncApiHandler } from '@milkyway/events';
 * import { Hono } from 'hono';
 *
 * const app = new Hono();
 * app.get('/asyncapi.json', asyncApiHandler(asyncApiDocument({ title: 'orders', version: '1.0.0' })));
 * ```
 */
export function asyncApiHandler(document: AsyncApiDocument): () => Response {
  const json = JSON.stringify(document);
  return () =>
    new Response(json, { headers: { 'content-type': 'application/json; charset=utf-8' } });
}
