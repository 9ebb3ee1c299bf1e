import { randomUUID } from 'node:crypto';
import type { CloudEventEnvelope } from '@milkyway/events';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { serviceAvailable } from '../../../test-support/services.js';
import type { NatsTransport, SubjectMapping } from '../src/index.js';

/** The machine's NATS (JetStream on) for ordinary tests; fault tests start their own. */
export const NATS_URL = 'nats://127.0.0.1:4222';

/** Whether the machine's NATS is reachable (skips with a message, fails under CI). */
export const natsAvailable = () => serviceAvailable('nats', 4222);

/** A name no other run or engineer uses (stream names take letters, digits, `_`, `-`). */
export function uniqueName(label: string): string {
  return `mwtest_${label}_${randomUUID().slice(0, 8)}`;
}

/** Deletes the streams a test created (clean-up only; missing ones are ignored). */
export async function deleteStreams(nc: NatsConnection, names: readonly string[]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const name of names) await jsm.streams.delete(name).catch(() => false);
}

/**
 * Resolves once `condition()` is true; rejects after `timeoutMs` with `message` (and what
 * `describe()` reports), so a test never hangs silently.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  message: string,
  { timeoutMs = 10_000, describe }: { timeoutMs?: number; describe?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(
        `${message} (not within ${timeoutMs} ms)${describe ? `: ${describe()}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const encoder = new TextEncoder();

/** A JSON CloudEvent envelope with id `id` (data `{ id }` unless given). */
export function envelope(id: string, data: unknown = { id }): CloudEventEnvelope {
  return {
    attributes: {
      specversion: '1.0',
      id,
      source: '/tests',
      type: 'test.happened.v1',
      datacontenttype: 'application/json',
    },
    data: encoder.encode(JSON.stringify(data)),
  };
}

/**
 * What a test file creates on the machine's NATS, cleaned up together: `destination(label)`
 * names a fresh destination (its stream is recorded), `track(transport)` records a transport;
 * `cleanUp` (for `afterAll`) deletes the streams and closes the transports.
 */
export function transportScope(mapping: SubjectMapping) {
  const streams: string[] = [];
  const transports: NatsTransport[] = [];
  return {
    destination(label: string): string {
      const d = `${label}.${uniqueName('d')}`;
      streams.push(mapping.stream(d));
      return d;
    },
    track<T extends NatsTransport>(transport: T): T {
      transports.push(transport);
      return transport;
    },
    async cleanUp(): Promise<void> {
      const open = transports.find((t) => !t.connection.isClosed());
      if (open) await deleteStreams(open.connection, streams);
      await Promise.all(transports.map((t) => t.close()));
    },
  };
}
