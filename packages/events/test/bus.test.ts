import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  createEventBus,
  type DeadLetter,
  deadLetterTopic,
  defineTopic,
  EventSchemaError,
  memoryInbox,
  memoryTransport,
  PublishError,
} from '../src/index.js';
import { advance, tick, until, useFakeTime } from './support.js';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), quantity: z.number().int().positive() }),
  key: (order) => order.orderId,
});

afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const transport = memoryTransport();
  const bus = createEventBus({ source: '/orders', transport });
  const letters: DeadLetter[] = [];
  const watchDeadLetters = (group: string) =>
    bus.subscribe(deadLetterTopic, (event) => void letters.push(event.data), {
      group: 'test-dlq',
      destination: `dead-letter.${group}`,
    });
  return { transport, bus, letters, watchDeadLetters };
}

describe('publishing', () => {
  it('delivers a published event to a subscriber with its typed payload and CloudEvents attributes', async () => {
    const { bus } = setup();
    const seen: unknown[] = [];
    await bus.subscribe(
      orderPlaced,
      (event) => void seen.push([event.type, event.source, event.key, event.data]),
      {
        group: 'catalog',
      },
    );
    await bus.publish(orderPlaced, { orderId: 'o-1', quantity: 2 });
    await until(() => seen.length === 1, 'the event is handled');
    expect(seen[0]).toEqual(['order.placed.v1', '/orders', 'o-1', { orderId: 'o-1', quantity: 2 }]);
  });

  it('refuses a payload that fails the schema with an EventSchemaError and sends nothing', async () => {
    const { bus, transport } = setup();
    const publish = vi.spyOn(transport, 'publish');
    const error = await bus
      .publish(orderPlaced, { orderId: 'o-1', quantity: -1 })
      .catch((e: unknown) => e);
    expect(EventSchemaError.is(error)).toBe(true);
    expect((error as EventSchemaError).message).toContain('quantity');
    expect(publish).not.toHaveBeenCalled();
  });

  it('rejects with a retryable PublishError while the transport is disconnected', async () => {
    const { bus, transport } = setup();
    transport.disconnect();
    const error = await bus
      .publish(orderPlaced, { orderId: 'o-1', quantity: 1 })
      .catch((e: unknown) => e);
    expect(PublishError.is(error) && error.retryable).toBe(true);
    expect(bus.health().connected).toBe(false);
  });

  it('gives every subscriber group its own copy and shares a group between its subscribers', async () => {
    const { transport, bus } = setup();
    const catalogA: string[] = [];
    const catalogB: string[] = [];
    const billing: string[] = [];
    const second = createEventBus({ source: '/orders', transport });
    await bus.subscribe(orderPlaced, (e) => void catalogA.push(e.id), { group: 'catalog' });
    await second.subscribe(orderPlaced, (e) => void catalogB.push(e.id), { group: 'catalog' });
    await bus.subscribe(orderPlaced, (e) => void billing.push(e.id), { group: 'billing' });
    for (let i = 0; i < 10; i++) await bus.publish(orderPlaced, { orderId: `o-${i}`, quantity: 1 });
    await until(
      () => catalogA.length + catalogB.length === 10 && billing.length === 10,
      'all handled',
    );
    expect(catalogA.length).toBeGreaterThan(0);
    expect(catalogB.length).toBeGreaterThan(0);
    expect(new Set([...catalogA, ...catalogB])).toEqual(new Set(billing));
  });
});

describe('retries and dead letters', () => {
  it('retries a failing handler with backoff and acknowledges once it succeeds', async () => {
    useFakeTime();
    const { bus } = setup();
    const attempts: number[] = [];
    await bus.subscribe(
      orderPlaced,
      (_event, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error('database busy');
      },
      { group: 'catalog', ordering: 'none', retry: { baseDelayMs: 100, jitter: 'none' } },
    );
    await bus.publish(orderPlaced, { orderId: 'o-1', quantity: 1 });
    await until(() => attempts.length === 1, 'the first attempt');
    await advance(99);
    expect(attempts).toEqual([1]);
    await advance(1);
    await until(() => attempts.length === 2, 'the retry after 100 ms');
    await advance(200);
    await until(() => attempts.length === 3, 'the retry after 200 ms');
    await advance(10_000);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('dead-letters a message after its last attempt with the error and the attempt count', async () => {
    useFakeTime();
    const { bus, letters, watchDeadLetters } = setup();
    await watchDeadLetters('catalog');
    await bus.subscribe(
      orderPlaced,
      () => {
        throw new Error('no such warehouse');
      },
      { group: 'catalog', retry: { maxAttempts: 3, baseDelayMs: 10, jitter: 'none' } },
    );
    const sent = await bus.publish(orderPlaced, { orderId: 'o-1', quantity: 1 });
    for (let i = 0; i < 5 && letters.length === 0; i++) await advance(100);
    await until(() => letters.length === 1, 'the dead letter');
    expect(letters[0]).toMatchObject({
      reason: 'handler-failed',
      error: 'Error: no such warehouse',
      attempts: 3,
      destination: 'order.placed.v1',
      group: 'catalog',
      attributes: { id: sent.attributes.id, type: 'order.placed.v1' },
    });
    expect(letters[0]!.headers['ce-id']).toBe(sent.attributes.id);
  });

  it('keeps consuming after a poison message and replays dead letters back once fixed', async () => {
    const { bus, transport, letters, watchDeadLetters } = setup();
    await watchDeadLetters('catalog');
    let fixed = false;
    const handled: string[] = [];
    await bus.subscribe(
      orderPlaced,
      (event) => {
        if (!fixed) throw new Error('bug');
        handled.push(event.data.orderId);
      },
      { group: 'catalog', retry: { maxAttempts: 1 } },
    );
    await bus.publish(orderPlaced, { orderId: 'o-1', quantity: 1 });
    transport.inject('order.placed.v1', { headers: {}, body: new TextEncoder().encode('x') });
    await until(() => letters.length === 2, 'both dead letters');
    fixed = true;
    const result = await bus.replayDeadLetters({ deadLetter: 'dead-letter.catalog' });
    expect(result.replayed).toBe(1);
    expect(result.skipped).toEqual([
      { id: undefined, reason: expect.stringContaining('original is not a CloudEvent') },
    ]);
    await until(() => handled.length === 1, 'the replayed event is handled');
    expect(handled).toEqual(['o-1']);
  });
});

describe('ordering, backpressure and idempotency', () => {
  it('handles events of one key one at a time in order and other keys in parallel', async () => {
    const { bus } = setup();
    const running = new Map<string, number>();
    const order: string[] = [];
    let maxSameKey = 0;
    let maxParallel = 0;
    const gates: Array<() => void> = [];
    await bus.subscribe(
      orderPlaced,
      async (event) => {
        const key = event.key!;
        running.set(key, (running.get(key) ?? 0) + 1);
        maxSameKey = Math.max(maxSameKey, running.get(key)!);
        maxParallel = Math.max(
          maxParallel,
          [...running.values()].reduce((a, b) => a + b, 0),
        );
        await new Promise<void>((resolve) => gates.push(resolve));
        order.push(`${key}:${event.data.quantity}`);
        running.set(key, running.get(key)! - 1);
      },
      { group: 'catalog', maxInFlight: 8 },
    );
    for (let q = 1; q <= 3; q++) {
      await bus.publish(orderPlaced, { orderId: 'a', quantity: q });
      await bus.publish(orderPlaced, { orderId: 'b', quantity: q });
    }
    for (let released = 0; released < 6; released++) {
      await until(() => gates.length > 0, 'a handler is waiting');
      gates.shift()!();
      await tick();
    }
    await until(() => order.length === 6, 'all handled');
    expect(maxSameKey).toBe(1);
    expect(maxParallel).toBe(2);
    expect(order.filter((o) => o.startsWith('a'))).toEqual(['a:1', 'a:2', 'a:3']);
    expect(order.filter((o) => o.startsWith('b'))).toEqual(['b:1', 'b:2', 'b:3']);
  });

  it('never holds more than maxInFlight deliveries', async () => {
    const { bus } = setup();
    let running = 0;
    let peak = 0;
    let done = 0;
    const gates: Array<() => void> = [];
    const consumer = await bus.subscribe(
      orderPlaced,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        done++;
      },
      { group: 'catalog', maxInFlight: 3, ordering: 'none' },
    );
    for (let i = 0; i < 10; i++) await bus.publish(orderPlaced, { orderId: `o-${i}`, quantity: 1 });
    await until(() => gates.length === 3, 'three handlers run');
    await tick();
    expect(consumer.inFlight).toBe(3);
    while (done < 10) {
      await until(() => gates.length > 0, 'a handler is waiting');
      gates.shift()!();
      await tick();
    }
    expect(peak).toBe(3);
  });

  it('acknowledges a redelivered event whose effect the inbox already recorded without running the handler', async () => {
    const { bus, transport } = setup();
    const inbox = memoryInbox();
    const outcomes: string[] = [];
    const runOnce = inbox.runOnce.bind(inbox);
    inbox.runOnce = async (key, effect) => {
      const outcome = await runOnce(key, effect);
      outcomes.push(outcome);
      return outcome;
    };
    let effects = 0;
    await bus.subscribe(orderPlaced, () => void effects++, { group: 'catalog', inbox });
    const sent = await bus.publish(orderPlaced, { orderId: 'o-1', quantity: 1 });
    await until(() => effects === 1, 'the first delivery is handled');
    await transport.publish(orderPlaced.destination, sent); // the same event again (a re-publish)
    await until(() => outcomes.length === 2, 'the second delivery went through the inbox');
    expect(outcomes).toEqual(['applied', 'duplicate']);
    expect(effects).toBe(1);
  });
});

describe('shutdown', () => {
  it('lets a running handler finish, then leaves queued messages unacknowledged for redelivery', async () => {
    useFakeTime();
    const { transport } = setup();
    const bus = createEventBus({ source: '/orders', transport });
    const handled: string[] = [];
    let release: () => void = () => undefined;
    const consumer = await bus.subscribe(
      orderPlaced,
      async (event) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        handled.push(event.data.orderId);
      },
      { group: 'catalog', maxInFlight: 4, ackDeadlineMs: 1_000 },
    );
    await bus.publish(orderPlaced, { orderId: 'a', quantity: 1 });
    await bus.publish(orderPlaced, { orderId: 'a', quantity: 2 }); // waits behind its key
    await until(() => consumer.inFlight === 2, 'both held');
    const stopping = consumer.stop({ drainMs: 5_000 });
    release();
    await stopping;
    expect(handled).toEqual(['a']);

    const replica = createEventBus({ source: '/orders', transport });
    await replica.subscribe(
      orderPlaced,
      (e) => void handled.push(`${e.data.orderId}${e.data.quantity}`),
      {
        group: 'catalog',
      },
    );
    await advance(1_000);
    await until(() => handled.length === 2, 'the unacknowledged message is redelivered');
    expect(handled).toEqual(['a', 'a2']);
  });

  it('aborts a handler that outlives the drain bound and does not acknowledge its message', async () => {
    useFakeTime();
    const { bus } = setup();
    let signal: AbortSignal | undefined;
    const consumer = await bus.subscribe(
      orderPlaced,
      (_e, ctx) => {
        signal = ctx.signal;
        return new Promise<void>(() => undefined);
      },
      { group: 'catalog' },
    );
    await bus.publish(orderPlaced, { orderId: 'a', quantity: 1 });
    await until(() => signal !== undefined, 'the handler runs');
    const stopping = consumer.stop({ drainMs: 500 });
    await advance(500);
    await stopping;
    expect(signal!.aborted).toBe(true);
    expect(consumer.inFlight).toBe(0);
  });
});

describe('typing', () => {
  it('narrows the event of a multi-topic handler on its type', async () => {
    const { bus } = setup();
    const rejected = defineTopic({
      name: 'stock.rejected',
      version: 1,
      schema: z.object({ reason: z.string() }),
    });
    const seen: string[] = [];
    await bus.subscribe(
      [orderPlaced, rejected],
      (event) => {
        if (event.type === 'stock.rejected.v1') seen.push(event.data.reason);
        else seen.push(event.data.orderId);
      },
      { group: 'narrow' },
    );
    await bus.publish(rejected, { reason: 'out of stock' });
    await bus.publish(orderPlaced, { orderId: 'o-9', quantity: 1 });
    await until(() => seen.length === 2, 'both handled');
    expect(seen.sort()).toEqual(['o-9', 'out of stock']);
  });
});
