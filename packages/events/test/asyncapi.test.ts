import { Parser } from '@asyncapi/parser';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { asyncApiDocument, asyncApiHandler, deadLetterTopic, defineTopic } from '../src/index.js';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  description: 'An order was accepted and its stock must be reserved.',
  schema: z.object({
    orderId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })),
    placedAt: z.iso.datetime(),
  }),
  key: (order) => order.orderId,
});
const stockReserved = defineTopic({
  name: 'stock.reserved',
  version: 1,
  schema: z.object({ orderId: z.string() }),
});

const document = asyncApiDocument({
  title: 'catalog',
  version: '1.4.0',
  description: 'Stock of the storefront.',
  servers: { nats: { host: '127.0.0.1:4222', protocol: 'nats' } },
  consumes: [{ topic: orderPlaced, group: 'catalog' }],
  publishes: [stockReserved, deadLetterTopic],
});

describe('AsyncAPI', () => {
  it('produces a document that @asyncapi/parser accepts without errors', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(parsed).toBeDefined();
    expect(
      parsed!
        .operations()
        .all()
        .map((o) => o.action())
        .sort(),
    ).toEqual(['receive', 'send', 'send']);
  });

  it('describes each payload with the JSON Schema of its zod schema', () => {
    const messages = (document.components as { messages: Record<string, { payload: unknown }> })
      .messages;
    expect(messages['order.placed.v1']!.payload).toMatchObject({
      type: 'object',
      required: ['orderId', 'lines', 'placedAt'],
      properties: { lines: { type: 'array' }, placedAt: { type: 'string', format: 'date-time' } },
    });
  });

  it('uses the topic destination as channel address and the CloudEvents type as header constant', () => {
    const channels = document.channels as Record<string, { address: string }>;
    expect(channels['order.placed.v1']!.address).toBe('order.placed.v1');
    const message = (
      document.components as {
        messages: Record<string, { headers: { properties: Record<string, { const?: string }> } }>;
      }
    ).messages['stock.reserved.v1']!;
    expect(message.headers.properties['ce-type']!.const).toBe('stock.reserved.v1');
  });

  it('serves the document as JSON from a Hono route', async () => {
    const app = new Hono();
    app.get('/asyncapi.json', asyncApiHandler(document));
    const response = await app.request('/asyncapi.json');
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual(document);
  });
});
