import { policy } from '@milkyway/resilience';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpPushTransport, PUSH_DESTINATION_HEADER } from '../src/http.js';
import {
  createEventBus,
  defineTopic,
  encodeBinary,
  memoryInbox,
  PublishError,
} from '../src/index.js';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string() }),
});
const URL_ = 'http://catalog.test/events';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A receiving catalog service and a publishing orders service, wired in-process. */
function setup(options: { maxBodyBytes?: number } = {}) {
  const receiving = httpPushTransport();
  const catalog = createEventBus({ source: '/catalog', transport: receiving });
  const app = new Hono();
  app.post('/events', receiving.receiver(options));
  const fetchApp = ((input: RequestInfo | URL, init?: RequestInit) =>
    app.request(String(input), init)) as typeof fetch;
  const orders = createEventBus({
    source: '/orders',
    transport: httpPushTransport({
      subscribers: { [orderPlaced.destination]: URL_ },
      fetch: fetchApp,
      policy: () => policy({ retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 } }),
    }),
  });
  cleanups.push(
    () => catalog.close(),
    () => orders.close(),
  );
  const post = (headers: Record<string, string>, body: BodyInit) =>
    app.request('/events', { method: 'POST', headers, body });
  return { catalog, orders, post };
}

const validHeaders = () =>
  encodeBinary(
    {
      attributes: {
        specversion: '1.0',
        id: 'e-1',
        source: '/orders',
        type: 'order.placed.v1',
        datacontenttype: 'application/json',
      },
      data: new Uint8Array(),
    },
    'http',
  ).headers;

describe('HTTP push', () => {
  it('resolves a publish only after the receiving handler completed', async () => {
    const { catalog, orders } = setup();
    const effects: string[] = [];
    await catalog.subscribe(
      orderPlaced,
      async (event) => {
        await Promise.resolve();
        effects.push(event.data.orderId);
      },
      { group: 'catalog' },
    );
    await orders.publish(orderPlaced, { orderId: 'o-1' });
    expect(effects).toEqual(['o-1']);
  });

  it('retries a delivery the handler failed and succeeds on a later attempt', async () => {
    const { catalog, orders } = setup();
    const attempts: number[] = [];
    await catalog.subscribe(
      orderPlaced,
      (_event, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt === 1) throw new Error('database busy');
      },
      { group: 'catalog', ordering: 'none', retry: { baseDelayMs: 0, jitter: 'none' } },
    );
    await orders.publish(orderPlaced, { orderId: 'o-1' });
    expect(attempts).toEqual([1, 2]);
  });

  it('runs the handler once when the same event is delivered twice, thanks to the inbox', async () => {
    const { catalog, post } = setup();
    let effects = 0;
    await catalog.subscribe(orderPlaced, () => void effects++, {
      group: 'catalog',
      inbox: memoryInbox(),
    });
    const headers = validHeaders();
    const first = await post(headers, '{"orderId":"o-1"}');
    const second = await post(headers, '{"orderId":"o-1"}');
    expect([first.status, second.status]).toEqual([204, 204]);
    expect(effects).toBe(1);
  });

  it('answers 400 problem+json to a request without CloudEvents attributes', async () => {
    const { catalog, post } = setup();
    await catalog.subscribe(orderPlaced, () => undefined, { group: 'catalog' });
    const response = await post({ 'content-type': 'application/json' }, '{}');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ reason: 'missing-attributes' });
  });

  it('answers 415 to data that is not JSON', async () => {
    const { catalog, post } = setup();
    await catalog.subscribe(orderPlaced, () => undefined, { group: 'catalog' });
    const response = await post({ ...validHeaders(), 'content-type': 'text/plain' }, 'hello');
    expect(response.status).toBe(415);
  });

  it('answers 413 to a body over the limit without handing it to the handler', async () => {
    const { catalog, post } = setup({ maxBodyBytes: 64 });
    let calls = 0;
    await catalog.subscribe(orderPlaced, () => void calls++, { group: 'catalog' });
    const response = await post(validHeaders(), JSON.stringify({ orderId: 'x'.repeat(100) }));
    expect(response.status).toBe(413);
    expect(calls).toBe(0);
  });

  it.each([
    ['a payload that fails the schema', '{"orderId":42}', 'schema'],
    ['invalid JSON', '{"orderId":', 'invalid-json'],
  ])('answers 422 with the reason to %s', async (_name, body, reason) => {
    const { catalog, post } = setup();
    await catalog.subscribe(orderPlaced, () => undefined, { group: 'catalog' });
    const response = await post(validHeaders(), body);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ reason });
  });

  it('answers 404 to a destination no consumer here reads', async () => {
    const { catalog, post } = setup();
    await catalog.subscribe(orderPlaced, () => undefined, { group: 'catalog' });
    const response = await post({ ...validHeaders(), [PUSH_DESTINATION_HEADER]: 'other.v1' }, '{}');
    expect(response.status).toBe(404);
  });

  it('fails a publish with a non-retryable PublishError when the receiver refuses the event', async () => {
    const { catalog, orders } = setup();
    await catalog.subscribe(orderPlaced, () => undefined, { group: 'catalog', maxMessageBytes: 5 });
    const error = await orders.publish(orderPlaced, { orderId: 'o-1' }).catch((e: unknown) => e);
    expect(PublishError.is(error) && !error.retryable).toBe(true);
  });

  it('fails a publish to a destination without a configured receiver', async () => {
    const { orders } = setup();
    const other = defineTopic({ name: 'other', version: 1, schema: z.object({}) });
    const error = await orders.publish(other, {}).catch((e: unknown) => e);
    expect(PublishError.is(error)).toBe(true);
  });
});
