import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createEventBus, defineTopic, type EventBus } from '@milkyway/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startNatsServer, type TestNatsServer } from '../../../test-support/nats-server.js';
import { natsTransport } from '../src/index.js';
import { waitUntil } from './helpers.js';

const work = defineTopic({ name: 'work.item', version: 1, schema: z.object({ n: z.number() }) });
const tsx = createRequire(import.meta.url).resolve('tsx');
const fixture = fileURLToPath(new URL('./fixtures/consumer-process.ts', import.meta.url));

interface Replica {
  child: ChildProcess;
  lines: Record<string, string | number>[];
}

describe('a consumer process killed with SIGKILL mid-handler', () => {
  let server: TestNatsServer;
  let publisher: EventBus;
  const replicas: Replica[] = [];

  function spawnReplica(env: Record<string, string>): Replica {
    const child = spawn(process.execPath, ['--import', tsx, fixture], {
      env: { ...process.env, NATS_URL: server.url, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const replica: Replica = { child, lines: [] };
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        replica.lines.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    });
    replicas.push(replica);
    return replica;
  }
  const ready = (r: Replica) =>
    waitUntil(() => r.lines.some((l) => 'ready' in l), `replica ${r.child.pid} to subscribe`, {
      timeoutMs: 20_000,
    });

  beforeAll(async () => {
    server = await startNatsServer();
    publisher = createEventBus({
      source: '/tests',
      transport: await natsTransport({ connection: { servers: server.url } }),
    });
  });
  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await publisher?.close({ drainMs: 1_000 });
    await server?.stop();
  });

  it('has the message redelivered to another replica and handled, and loses nothing acknowledged', async () => {
    const doomed = spawnReplica({ HANG: '1' });
    await ready(doomed);
    const first = await publisher.publish(work, { n: 0 });
    await waitUntil(
      () => doomed.lines.some((l) => l.started === first.attributes.id),
      'the doomed replica to start handling the first message',
    );

    const survivor = spawnReplica({});
    await ready(survivor);
    doomed.child.kill('SIGKILL');
    await new Promise((resolve) => doomed.child.once('exit', resolve));

    const published = [first.attributes.id];
    for (let n = 1; n <= 50; n++)
      published.push((await publisher.publish(work, { n })).attributes.id);

    const done = () =>
      new Set(survivor.lines.filter((l) => 'done' in l).map((l) => String(l.done)));
    await waitUntil(
      () => published.every((id) => done().has(id)),
      'the survivor to handle every acknowledged message',
      {
        timeoutMs: 20_000,
        describe: () => `missing ${published.filter((id) => !done().has(id)).join(', ')}`,
      },
    );
    expect(doomed.lines.some((l) => 'done' in l)).toBe(false);
    expect(survivor.lines.filter((l) => l.done === first.attributes.id)).toHaveLength(1);
  }, 60_000);
});
