// A relay in its own process, for the crash test: it publishes over IPC to the parent, which
// owns the broker and answers once the broker has the message. Started with
// `node --import tsx relay-process.ts <database-url>`; killed with SIGKILL by the test.
import type { CloudEventEnvelope, Transport } from '@milkyway/events';
import { createRelay } from '../../src/index.js';
import { createPgPool, pgDatabase } from '../../src/pg.js';

const url = process.argv[2];
if (!url || !process.send)
  throw new Error('usage: node --import tsx relay-process.ts <database-url> (with an IPC channel)');

const pending = new Map<number, () => void>();
let next = 0;
process.on('message', (message: { ack: number }) => {
  pending.get(message.ack)?.();
  pending.delete(message.ack);
});

const ipcTransport: Pick<Transport, 'publish'> = {
  publish(destination: string, envelope: CloudEventEnvelope) {
    const id = ++next;
    return new Promise<void>((resolve) => {
      pending.set(id, resolve);
      process.send!({
        id,
        destination,
        attributes: envelope.attributes,
        data: Buffer.from(envelope.data).toString('base64'),
      });
    });
  },
};

const db = pgDatabase(createPgPool({ connectionString: url, max: 4 }), { lockHeartbeatMs: 200 });
const relay = createRelay({
  db,
  transport: ipcTransport,
  pollIntervalMs: 50,
  leaderRetryMs: 20,
  batchSize: 100,
});
await relay.start();
process.send({ ready: true });
