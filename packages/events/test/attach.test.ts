import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  attachEventBus,
  createEventBus,
  defineTopic,
  memoryTransport,
  type ServiceLifecycle,
} from '../src/index.js';
import { until } from './support.js';

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string() }),
});

function fakeService() {
  const checks = new Map<string, (signal: AbortSignal) => unknown>();
  const hooks: Array<() => unknown> = [];
  const service: ServiceLifecycle = {
    readiness: (name, check) => checks.set(name, check),
    onClose: (hook) => hooks.push(hook),
  };
  const ready = async (name = 'events') => {
    try {
      await checks.get(name)!(new AbortController().signal);
      return true;
    } catch {
      return false;
    }
  };
  const close = async () => {
    for (const hook of hooks.reverse()) await hook();
  };
  return { service, ready, close };
}

describe('service integration', () => {
  it('fails readiness while the transport is disconnected', async () => {
    const transport = memoryTransport();
    const { service, ready } = fakeService();
    attachEventBus(service, createEventBus({ source: '/orders', transport }));
    expect(await ready()).toBe(true);
    transport.disconnect();
    expect(await ready()).toBe(false);
    transport.reconnect();
    expect(await ready()).toBe(true);
  });

  it('on close lets the running handler finish, then closes the connection', async () => {
    const transport = memoryTransport();
    const bus = createEventBus({ source: '/orders', transport });
    const { service, ready, close } = fakeService();
    attachEventBus(service, bus, { drainMs: 60_000 });
    const finished: string[] = [];
    let running = false;
    let release: () => void = () => undefined;
    await bus.subscribe(
      orderPlaced,
      async (event) => {
        running = true;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        finished.push(event.data.orderId);
      },
      { group: 'catalog' },
    );
    await bus.publish(orderPlaced, { orderId: 'o-1' });
    await until(() => running, 'the handler runs');
    const closing = close();
    release();
    await closing;
    expect(finished).toEqual(['o-1']);
    expect(await ready()).toBe(false);
  });
});
