import { describeTransportContract } from '@milkyway/events/testing';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, defaultSubjectMapping, natsTransport } from '../src/index.js';
import { toNatsHeaders } from '../src/transport/nats-headers.js';
import { deleteStreams, NATS_URL, natsAvailable, uniqueName } from './helpers.js';

const available = await natsAvailable();

describeTransportContract(
  'NATS JetStream',
  async () => {
    const mapping = defaultSubjectMapping({ subjectPrefix: uniqueName('contract') });
    const streams = new Set<string>();
    let raw: NatsConnection | undefined;
    return {
      connect: () =>
        natsTransport({ connection: { servers: NATS_URL }, mapping, pullExpiresMs: 1_000 }),
      publishRaw: async (destination, headers, body) => {
        raw ??= await connectNats({ servers: NATS_URL });
        streams.add(mapping.stream(destination));
        await jetstream(raw).publish(mapping.subject(destination), body, {
          headers: toNatsHeaders(headers),
        });
      },
      destination: (name) => {
        const destination = `${name}.${uniqueName('d')}`;
        streams.add(mapping.stream(destination));
        return destination;
      },
      cleanup: async () => {
        raw ??= await connectNats({ servers: NATS_URL });
        await deleteStreams(raw, [...streams]);
        streams.clear();
        await raw.close();
        raw = undefined;
      },
    };
  },
  {
    ackDeadlineMs: 1_000,
    skip: available ? false : 'NATS is not reachable at 127.0.0.1:4222 (nats-server -js)',
  },
);
