import type { PublishError } from '@milkyway/events';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type Msg } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSubjectMapping, NatsPublishError, natsTransport } from '../src/index.js';
import {
  envelope,
  NATS_URL,
  natsAvailable,
  transportScope,
  uniqueName,
  waitUntil,
} from './helpers.js';

// The transport's publishes are acknowledged through its own reply subscription (not the
// client's request()): these tests pin what that path must keep — every outcome of an
// acknowledgement mapped to the right NatsPublishError, and no publish left hanging.

describe.runIf(await natsAvailable())('JetStream publish acknowledgements', () => {
  const prefix = uniqueName('acks');
  const mapping = defaultSubjectMapping({ subjectPrefix: prefix });
  const scope = transportScope(mapping);
  const destination = scope.destination;
  const open = async (options: { publishTimeoutMs?: number; maxMessageBytes?: number } = {}) => {
    const t = await natsTransport({
      connection: { servers: NATS_URL },
      mapping,
      publishTimeoutMs: options.publishTimeoutMs,
      stream:
        options.maxMessageBytes === undefined
          ? undefined
          : { maxMessageBytes: options.maxMessageBytes },
    });
    return scope.track(t);
  };

  afterAll(scope.cleanUp);

  it('resolves many concurrent publishes, each stored once and in the stream', async () => {
    const t = await open();
    const d = destination('many');
    const ids = Array.from({ length: 500 }, (_, i) => `m-${i}`);
    await Promise.all(ids.map((id) => t.publish(d, envelope(id))));
    // A second round with the same ids is deduplicated by Nats-Msg-Id: still acknowledged.
    await Promise.all(ids.slice(0, 50).map((id) => t.publish(d, envelope(id))));
    const jsm = await jetstreamManager(t.connection);
    expect((await jsm.streams.info(mapping.stream(d))).state.messages).toBe(500);
  });

  it("maps the stream's refusal (max_msg_size) to a non-retryable too-large", async () => {
    const t = await open({ maxMessageBytes: 1_024 });
    const d = destination('small');
    await t.publish(d, envelope('fits'));
    const error = await t
      .publish(d, envelope('too-big', { blob: 'x'.repeat(4_000) }))
      .catch((e: unknown) => e);
    expect(NatsPublishError.is(error) && error.reason).toBe('too-large');
    expect((error as PublishError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/max_msg_size/);
    // The transport keeps going.
    await t.publish(d, envelope('fits-again'));
  });

  it('reports no-stream when the stream was deleted, then provisions it again on the next publish', async () => {
    const t = await open();
    const d = destination('gone');
    await t.publish(d, envelope('first'));
    const jsm = await jetstreamManager(t.connection);
    await jsm.streams.delete(mapping.stream(d));
    const error = await t.publish(d, envelope('lost')).catch((e: unknown) => e);
    expect(NatsPublishError.is(error) && error.reason).toBe('no-stream');
    expect((error as PublishError).retryable).toBe(false);
    await t.publish(d, envelope('after'));
    expect((await jsm.streams.info(mapping.stream(d))).state.messages).toBe(1);
  });

  it('times out a publish nothing acknowledges, as retryable, and keeps acknowledging others', async () => {
    const t = await open({ publishTimeoutMs: 500 });
    // The publishes meant to succeed retry on a timeout (a very busy machine may take longer
    // than the short timeout this test needs), as a caller does with a retryable error.
    const publishRetrying = async (d: string, id: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await t.publish(d, envelope(id));
        } catch (error) {
          if (!(NatsPublishError.is(error) && error.reason === 'timeout') || attempt === 5)
            throw error;
        }
      }
    };
    const d = destination('silent');
    await publishRetrying(d, 'stored');
    // The stream goes away and a plain subscriber that never answers takes the subject:
    // the server sees a responder (no 503), and no acknowledgement ever comes.
    const jsm = await jetstreamManager(t.connection);
    await jsm.streams.delete(mapping.stream(d));
    const received: Msg[] = [];
    const listener = await connect({ servers: NATS_URL });
    listener.subscribe(mapping.subject(d), {
      callback: (_e, m) => {
        received.push(m);
      },
    });
    await listener.flush();
    try {
      const error = await t.publish(d, envelope('unanswered')).catch((e: unknown) => e);
      await waitUntil(() => received.length === 1, 'the silent subscriber to get the publish');
      expect(NatsPublishError.is(error) && error.reason).toBe('timeout');
      expect((error as PublishError).retryable).toBe(true);
    } finally {
      await listener.close();
    }
    const other = destination('other');
    await publishRetrying(other, 'acknowledged');
  });

  it('lets publishes in flight get their acknowledgement before close() ends', async () => {
    const t = await natsTransport({ connection: { servers: NATS_URL }, mapping });
    const d = destination('closing');
    await t.publish(d, envelope('warm'));
    const outcomes: string[] = [];
    const inFlight = Array.from({ length: 200 }, (_, i) =>
      t.publish(d, envelope(`c-${i}`)).then(
        () => outcomes.push('acked'),
        (e: unknown) => outcomes.push(String(e)),
      ),
    );
    await t.close();
    await Promise.all(inFlight);
    // None failed as closed: close() waited for their acknowledgements.
    expect(outcomes.filter((o) => o === 'acked')).toHaveLength(200);
    const error = await t.publish(d, envelope('late')).catch((e: unknown) => e);
    expect(NatsPublishError.is(error) && error.reason).toBe('closed');
    const checker = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(checker);
      expect((await jsm.streams.info(mapping.stream(d))).state.messages).toBe(201);
    } finally {
      await checker.close();
    }
  });

  it('fails a publish as closed once the owner closed the connection it lent', async () => {
    const nc = await connect({ servers: NATS_URL });
    const t = await natsTransport({ connection: nc, mapping });
    const d = destination('lent');
    await t.publish(d, envelope('before'));
    await nc.close();
    let thrown: unknown;
    let settled: Promise<unknown> | undefined;
    try {
      settled = t.publish(d, envelope('after')).catch((e: unknown) => e);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeUndefined();
    const error = await settled;
    expect(NatsPublishError.is(error) && error.reason).toBe('closed');
    await t.close();
  });

  it("sends its replies under the connection's inbox prefix", async () => {
    const nc = await connect({ servers: NATS_URL, inboxPrefix: `_PFX_${prefix}` });
    const t = scope.track(await natsTransport({ connection: nc, mapping }));
    const d = destination('prefixed');
    await t.publish(d, envelope('warm'));
    const seen: Msg[] = [];
    const listener = await connect({ servers: NATS_URL });
    listener.subscribe(mapping.subject(d), {
      callback: (_e, m) => {
        seen.push(m);
      },
    });
    await listener.flush();
    try {
      await t.publish(d, envelope('watched'));
      await waitUntil(() => seen.length === 1, 'the plain subscriber to see the publish');
      expect(seen[0]!.reply?.startsWith(`_PFX_${prefix}.`)).toBe(true);
    } finally {
      await listener.close();
      await t.close();
      await nc.close();
    }
  });
});
