import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, NatsProvisioningError, provisionJetStream } from '../src/index.js';
import { deleteStreams, NATS_URL, natsAvailable, uniqueName } from './helpers.js';

describe.runIf(await natsAvailable())('provisioning streams and consumers at start-up', () => {
  let nc: NatsConnection;
  const created: string[] = [];
  const stream = (label: string) => {
    const name = uniqueName(label);
    created.push(name);
    return name;
  };

  beforeAll(async () => {
    nc = await connectNats({ servers: NATS_URL });
  });
  afterAll(async () => {
    await deleteStreams(nc, created);
    await nc.close();
  });

  it('creates a missing stream with a duplicate window and a durable explicit-ack pull consumer', async () => {
    const name = stream('create');
    const jsm = await jetstreamManager(nc);
    await provisionJetStream(jsm, {
      streams: [{ name, subjects: [`${name}.>`], duplicateWindowMs: 60_000 }],
      consumers: [
        {
          stream: name,
          durable: 'stock',
          filterSubject: `${name}.placed`,
          maxDeliver: 4,
          ackWaitMs: 5_000,
        },
      ],
    });
    const info = await jsm.streams.info(name);
    expect(info.config.duplicate_window).toBe(60_000 * 1_000_000);
    const consumer = await jsm.consumers.info(name, 'stock');
    expect(consumer.config).toMatchObject({
      durable_name: 'stock',
      ack_policy: 'explicit',
      filter_subject: `${name}.placed`,
      max_deliver: 4,
      ack_wait: 5_000 * 1_000_000,
    });
    expect(consumer.config.deliver_subject).toBeUndefined();
  });

  it('is idempotent: provisioning the same plan twice changes nothing and does not fail', async () => {
    const name = stream('twice');
    const jsm = await jetstreamManager(nc);
    const plan = {
      streams: [{ name, subjects: [`${name}.>`] }],
      consumers: [{ stream: name, durable: 'g', filterSubject: `${name}.a` }],
    };
    await provisionJetStream(jsm, plan);
    const before = await jsm.consumers.info(name, 'g');
    await provisionJetStream(jsm, plan);
    const after = await jsm.consumers.info(name, 'g');
    expect(after.created).toBe(before.created);
  });

  it('in check mode creates nothing and lists every missing stream and consumer in one error', async () => {
    const name = stream('check_missing');
    const jsm = await jetstreamManager(nc);
    const error = await provisionJetStream(jsm, {
      mode: 'check',
      streams: [{ name, subjects: [`${name}.>`] }],
      consumers: [{ stream: name, durable: 'stock' }],
    }).catch((e: unknown) => e);
    expect(NatsProvisioningError.is(error)).toBe(true);
    expect((error as NatsProvisioningError).problems).toEqual([
      `stream ${name} is missing (subjects ${name}.>)`,
      `consumer ${name}/stock is missing`,
    ]);
    await expect(jsm.streams.info(name)).rejects.toThrow(/stream not found/);
  });

  it('in check mode accepts streams and consumers the infrastructure created to spec', async () => {
    const name = stream('check_ok');
    const jsm = await jetstreamManager(nc);
    const plan = {
      streams: [{ name, subjects: [`${name}.orders.placed`] }],
      consumers: [{ stream: name, durable: 'stock', filterSubject: `${name}.orders.placed` }],
    };
    await provisionJetStream(jsm, { ...plan, mode: 'create' });
    await expect(provisionJetStream(jsm, { ...plan, mode: 'check' })).resolves.toBeUndefined();
  });

  it('in check mode reports a stream that does not store a needed subject', async () => {
    const name = stream('check_subject');
    const jsm = await jetstreamManager(nc);
    await provisionJetStream(jsm, { streams: [{ name, subjects: [`${name}.a`] }] });
    const error = await provisionJetStream(jsm, {
      mode: 'check',
      streams: [{ name, subjects: [`${name}.b`] }],
    }).catch((e: unknown) => e);
    expect((error as NatsProvisioningError).problems[0]).toContain(
      `does not store subject "${name}.b"`,
    );
  });

  it('in create mode adds a new subject to an existing stream and keeps its other subjects', async () => {
    const name = stream('add_subject');
    const jsm = await jetstreamManager(nc);
    await provisionJetStream(jsm, { streams: [{ name, subjects: [`${name}.a`] }] });
    await provisionJetStream(jsm, { streams: [{ name, subjects: [`${name}.b`] }] });
    const info = await jsm.streams.info(name);
    expect(info.config.subjects).toEqual([`${name}.a`, `${name}.b`]);
  });
});
