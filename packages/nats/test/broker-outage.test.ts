import { type CloudEventEnvelope, PublishError } from '@milkyway/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type TestNatsServer } from '../../../test-support/nats-server.js';
import { NatsPublishError, type NatsTransport, natsTransport } from '../src/index.js';
import { waitUntil } from './helpers.js';

const encoder = new TextEncoder();
const envelope = (id: string): CloudEventEnvelope => ({
  attributes: { specversion: '1.0', id, source: '/tests', type: 'test.happened.v1' },
  data: encoder.encode(JSON.stringify({ id })),
});

describe('the broker killed (SIGKILL) and restarted', () => {
  let server: TestNatsServer;
  let transport: NatsTransport;

  beforeAll(async () => {
    server = await startNatsServer();
    transport = await natsTransport({
      connection: { servers: server.url, reconnectTimeWaitMs: 100 },
      publishTimeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    await transport?.close();
    await server?.stop();
  });

  it('fails publishes during the outage with a retryable PublishError, then consumes everything acknowledged once it is back', async () => {
    const destination = 'outage.test.v1';
    const handled = new Map<string, number>();
    const subscription = await transport.subscribe(
      {
        destinations: [destination],
        group: 'g',
        maxInFlight: 16,
        ackDeadlineMs: 5_000,
        maxDeliver: 10,
      },
      (delivery) => {
        if (delivery.message.ok) {
          const id = delivery.message.envelope.attributes.id;
          handled.set(id, (handled.get(id) ?? 0) + 1);
        }
        void delivery.ack().catch(() => undefined);
      },
    );
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      await transport.publish(destination, envelope(`before-${i}`));
      acknowledged.push(`before-${i}`);
    }
    await waitUntil(
      () => handled.size === 20,
      'the 20 messages published before the outage handled',
    );

    await server.kill();
    await waitUntil(() => !transport.health().connected, 'readiness to report the lost connection');
    expect(transport.health().detail).toMatch(/reconnecting to/);

    const failures: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      await transport.publish(destination, envelope(`during-${i}`)).then(
        () => acknowledged.push(`during-${i}`),
        (error: unknown) => failures.push(error),
      );
    }
    // Every publish during the outage settled one way or the other: none hangs, none is dropped silently.
    expect(failures.length + acknowledged.length).toBe(30);
    expect(failures.length).toBe(10);
    for (const error of failures) {
      expect(PublishError.is(error)).toBe(true);
      expect((error as PublishError).retryable).toBe(true);
      expect(NatsPublishError.is(error) && error.reason).toBe('disconnected');
    }

    await server.restart();
    await waitUntil(() => transport.health().connected, 'the transport to reconnect by itself', {
      timeoutMs: 15_000,
    });
    // The first publishes after a restart may time out while JetStream recovers its streams:
    // the retry a caller makes on a retryable error is what this loop does.
    for (let i = 0; i < 20; i++) {
      const id = `after-${i}`;
      for (let attempt = 1; ; attempt++) {
        try {
          await transport.publish(destination, envelope(id));
          acknowledged.push(id);
          break;
        } catch (error) {
          expect((error as PublishError).retryable).toBe(true);
          if (attempt === 10) throw error;
        }
      }
    }
    await waitUntil(
      () => acknowledged.every((id) => handled.has(id)),
      'every acknowledged publish handled after the restart',
      {
        timeoutMs: 20_000,
        describe: () => `missing: ${acknowledged.filter((id) => !handled.has(id)).join(', ')}`,
      },
    );
    expect([...handled.keys()].filter((id) => id.startsWith('during-'))).toEqual([]);
    await subscription.stop();
  });
});
