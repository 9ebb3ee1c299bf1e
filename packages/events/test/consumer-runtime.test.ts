import { DeadlineExceededError, silentLogger } from '@milkyway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  createCloudEvent,
  createEventBus,
  createMemoryBroker,
  type DeadLetter,
  type Delivery,
  type DeliveryHandler,
  deadLetterTopic,
  decodeBinary,
  defineTopic,
  encodeBinary,
  type Transport,
} from '../src/index.js';
import { advance, until, useFakeTime } from './support.js';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), step: z.number() }),
  key: (o) => o.orderId,
});

afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const broker = createMemoryBroker();
  const bus = createEventBus({ source: '/orders', transport: broker.connect() });
  const letters: DeadLetter[] = [];
  const watch = () =>
    bus.subscribe(deadLetterTopic, (e) => void letters.push(e.data), {
      group: 'watch',
      destination: 'dead-letter.catalog',
    });
  return { broker, bus, letters, watch };
}

describe('consumer runtime', () => {
  it('fires the handler signal with a DeadlineExceededError when the attempt overruns and retries it', async () => {
    useFakeTime();
    const { bus } = setup();
    const reasons: unknown[] = [];
    const attempts: number[] = [];
    await bus.subscribe(
      orderPlaced,
      (_e, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt > 1) return;
        ctx.signal.addEventListener('abort', () => reasons.push(ctx.signal.reason));
        return new Promise<void>(() => undefined); // hangs
      },
      { group: 'catalog', handlerTimeoutMs: 1_000, retry: { baseDelayMs: 10, jitter: 'none' } },
    );
    await bus.publish(orderPlaced, { orderId: 'a', step: 1 });
    await until(() => attempts.length === 1, 'the first attempt');
    await advance(1_000);
    expect(DeadlineExceededError.is(reasons[0])).toBe(true);
    await advance(10);
    await until(() => attempts.length === 2, 'the retry');
    expect(attempts).toEqual([1, 2]);
  });

  it('retries a keyed event in place so that the next event of its key waits for it', async () => {
    useFakeTime();
    const { bus } = setup();
    const log: string[] = [];
    await bus.subscribe(
      orderPlaced,
      (event, ctx) => {
        log.push(`${event.data.step}#${ctx.attempt}`);
        if (event.data.step === 1 && ctx.attempt < 3) throw new Error('not yet');
      },
      { group: 'catalog', retry: { baseDelayMs: 100, jitter: 'none' } },
    );
    await bus.publish(orderPlaced, { orderId: 'a', step: 1 });
    await bus.publish(orderPlaced, { orderId: 'a', step: 2 });
    for (let i = 0; i < 5 && log.length < 4; i++) await advance(200);
    await until(() => log.length === 4, 'both events handled');
    expect(log).toEqual(['1#1', '1#2', '1#3', '2#1']);
  });

  it('keeps telling the broker it is working while a handler runs past the ack deadline', async () => {
    useFakeTime();
    const { bus } = setup();
    const attempts: number[] = [];
    let release: () => void = () => undefined;
    await bus.subscribe(
      orderPlaced,
      (_e, ctx) => {
        attempts.push(ctx.attempt);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      { group: 'catalog', ackDeadlineMs: 1_000, handlerTimeoutMs: 60_000 },
    );
    await bus.publish(orderPlaced, { orderId: 'a', step: 1 });
    await until(() => attempts.length === 1, 'the handler runs');
    await advance(10_000); // ten ack deadlines
    release();
    await advance(2_000);
    expect(attempts).toEqual([1]);
  });

  it('dead-letters a message the broker delivered more often than maxAttempts without running it', async () => {
    useFakeTime();
    const { broker, bus, letters, watch } = setup();
    await watch();
    // A replica that takes the message and dies each time (never settles).
    const dying = broker.connect();
    let taken = 0;
    await dying.subscribe(
      {
        destinations: [orderPlaced.destination],
        group: 'catalog',
        maxInFlight: 1,
        ackDeadlineMs: 100,
        maxDeliver: 10,
      },
      () => void taken++,
    );
    await bus.publish(orderPlaced, { orderId: 'a', step: 1 });
    await advance(100);
    await advance(100); // delivered again, never settled
    await dying.close();
    let ran = 0;
    await bus.subscribe(orderPlaced, () => void ran++, {
      group: 'catalog',
      retry: { maxAttempts: 2 },
    });
    await advance(100);
    await until(() => letters.length === 1, 'the dead letter');
    expect(taken).toBeGreaterThanOrEqual(2);
    expect(letters[0]).toMatchObject({ reason: 'max-deliveries', attempts: taken });
    expect(ran).toBe(0);
  });

  it('runs middleware around the handler, outermost first', async () => {
    const { bus } = setup();
    const log: string[] = [];
    await bus.subscribe(orderPlaced, () => void log.push('handler'), {
      group: 'catalog',
      middleware: [
        async (_e, _c, next) => {
          log.push('outer in');
          await next();
          log.push('outer out');
        },
        async (_e, _c, next) => {
          log.push('inner in');
          await next();
          log.push('inner out');
        },
      ],
    });
    await bus.publish(orderPlaced, { orderId: 'a', step: 1 });
    await until(() => log.length === 5, 'the chain ran');
    expect(log).toEqual(['outer in', 'inner in', 'handler', 'inner out', 'outer out']);
  });

  it('gives every attempt its own full deadline although the consumer keeps one timer for all', async () => {
    useFakeTime();
    const { bus } = setup();
    const aborted = new Map<string, number>();
    const running: string[] = [];
    const started = Date.now();
    await bus.subscribe(
      orderPlaced,
      (event, ctx) => {
        if (ctx.attempt > 1) return;
        running.push(event.data.orderId);
        ctx.signal.addEventListener('abort', () =>
          aborted.set(event.data.orderId, Date.now() - started),
        );
        return new Promise<void>(() => undefined); // hangs until its deadline
      },
      { group: 'catalog', handlerTimeoutMs: 1_000, retry: { baseDelayMs: 10, jitter: 'none' } },
    );
    await bus.publish(orderPlaced, { orderId: 'a', step: 1 });
    await until(() => running.includes('a'), 'the attempt of a to start');
    await advance(400);
    await bus.publish(orderPlaced, { orderId: 'b', step: 1 });
    await until(() => running.includes('b'), 'the attempt of b to start');
    await advance(599); // 999 ms after a started, 599 after b
    expect(aborted.size).toBe(0);
    await advance(1);
    expect([...aborted.keys()]).toEqual(['a']);
    await advance(398);
    expect(aborted.has('b')).toBe(false);
    await advance(2);
    expect(aborted.get('b')).toBeGreaterThanOrEqual(1_400);
  });

  it('hands the handler a context whose signal aborts when the consumer shuts down', async () => {
    const { bus } = setup();
    let signal: AbortSignal | undefined;
    let ctxKeys: string[] = [];
    await bus.subscribe(
      orderPlaced,
      (_e, ctx) => {
        signal = ctx.signal;
        ctxKeys = ['attempt', 'tx', 'group', 'destination'].filter((k) => k in ctx);
        return new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
      },
      { group: 'catalog' },
    );
    await bus.publish(orderPlaced, { orderId: 'a', step: 1 });
    await until(() => signal !== undefined, 'the handler runs');
    expect(ctxKeys).toEqual(['attempt', 'tx', 'group', 'destination']);
    expect(signal?.aborted).toBe(false);
    await bus.close({ drainMs: 0 });
    expect(signal?.aborted).toBe(true);
  });
});

describe('settlements confirmed together', () => {
  // A transport like the NATS one: the acks of one turn share one promise, confirmed later.
  function batchingTransport(outcome: 'confirm' | 'fail') {
    let onDelivery: DeliveryHandler = () => undefined;
    let current: { promise: Promise<void>; settle: () => void } | undefined;
    const settlers: (() => void)[] = [];
    const shared = () => {
      if (current === undefined) {
        let resolve!: () => void;
        let reject!: (e: unknown) => void;
        const promise = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        promise.catch(() => undefined);
        const batch = {
          promise,
          settle: () => (outcome === 'confirm' ? resolve() : reject(new Error('no confirmation'))),
        };
        current = batch;
        settlers.push(batch.settle);
        queueMicrotask(() => {
          if (current === batch) current = undefined;
        });
      }
      return current.promise;
    };
    const transport: Transport = {
      system: 'test',
      publish: async () => undefined,
      subscribe: async (_options, handler) => {
        onDelivery = handler;
        return { stop: async () => undefined };
      },
      health: () => ({ connected: true }),
      close: async () => undefined,
    };
    const deliver = (orderId: string) => {
      const envelope = createCloudEvent(orderPlaced, { orderId, step: 1 }, { source: '/t' });
      const { headers, body } = encodeBinary(envelope, 'nats');
      const delivery: Delivery = {
        destination: orderPlaced.destination,
        headers,
        body,
        message: decodeBinary({ headers, body, binding: 'nats' }),
        attempt: 1,
        ack: shared,
        nak: shared,
        working: async () => undefined,
      };
      onDelivery(delivery);
    };
    const confirmAll = () => {
      for (const settle of settlers.splice(0)) settle();
    };
    return { transport, deliver, confirmAll };
  }

  for (const outcome of ['confirm', 'fail'] as const) {
    it(`holds every delivery until the shared promise settles (${outcome}), then releases them all`, async () => {
      const t = batchingTransport(outcome);
      const warnings: unknown[] = [];
      const logger = { ...silentLogger, warn: (o: unknown) => void warnings.push(o) };
      const bus = createEventBus({ source: '/t', transport: t.transport, logger });
      const handled: string[] = [];
      const consumer = await bus.subscribe(orderPlaced, (e) => void handled.push(e.data.orderId), {
        group: 'g',
        ordering: 'none',
      });
      for (const id of ['a', 'b', 'c']) t.deliver(id);
      await until(() => handled.length === 3, 'the handlers');
      await new Promise((r) => setImmediate(r));
      expect(consumer.inFlight).toBe(3);
      t.confirmAll();
      await until(() => consumer.inFlight === 0, 'the releases');
      expect(warnings).toHaveLength(outcome === 'fail' ? 3 : 0);
      // A later turn: a new shared promise, a new group.
      t.deliver('d');
      await until(() => handled.length === 4, 'the next handler');
      await new Promise((r) => setImmediate(r));
      expect(consumer.inFlight).toBe(1);
      t.confirmAll();
      await until(() => consumer.inFlight === 0, 'the last release');
      await consumer.stop({ drainMs: 100 });
    });
  }
});
