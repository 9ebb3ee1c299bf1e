import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, type Service, silentLogger } from '../src/index.js';
import { checkingIntervalFor, serverSettings } from '../src/server/timeouts.js';
import { bounded, openRaw, parseResponses, type RawConnection } from './raw-socket.js';

let running: Service<never> | undefined;
const open: RawConnection[] = [];

afterEach(async () => {
  for (const connection of open.splice(0)) connection.destroy();
  await running?.close();
  running = undefined;
});

// Small timeouts, and a lingering close far longer than any wait below: a connection that
// closes within the bounded waits was shed by its timeout, not by the end of a linger.
const server = { headersTimeoutMs: 200, requestTimeoutMs: 400, lingerMs: 60_000 };

async function start() {
  const service = createService({ name: 't', version: '0', logger: silentLogger, server });
  running = service as never;
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const answered: string[] = [];
  service.get('/hello', (c) => c.text('hello'));
  service.post(
    '/items',
    { body: z.object({ name: z.string() }), responses: { 201: z.object({ name: z.string() }) } },
    (c) => c.json(c.req.valid('json'), 201),
  );
  // A handler that does not read the body (yet): it answers once the test releases it.
  service.post('/busy', async (c) => {
    await released;
    answered.push('busy');
    return c.text('late');
  });
  const info = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
  const serverSocketClosed = new Promise<void>((resolve) =>
    info.server.once('connection', (socket: Socket) => socket.once('close', () => resolve())),
  );
  return { ...info, release, answered, serverSocketClosed };
}

async function connectTo(port: number) {
  const connection = await openRaw(port);
  open.push(connection);
  return connection;
}

describe('a slow client', () => {
  it('that never finishes its headers gets a 408 problem and is shed, long before Node’s default 30 s check', async () => {
    const { port, serverSocketClosed } = await start();
    const connection = await connectTo(port);
    await connection.write('GET /hello HTTP/1.1\r\nHost: t\r\n');
    // The client stays silent and keeps its side open.
    await bounded(serverSocketClosed, 5_000, 'the server to shed the slow-header connection');
    const [answer] = parseResponses(connection.received());
    expect(answer?.status).toBe(408);
    expect(answer?.headers['content-type']).toBe('application/problem+json');
    expect(answer?.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(answer?.body ?? '')).toMatchObject({ status: 408 });
  });

  it('that sends its body too slowly to a route reading it gets a 408 problem with its request id', async () => {
    const { port, serverSocketClosed } = await start();
    const connection = await connectTo(port);
    await connection.write(
      'POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 8192\r\n\r\n{"na',
    );
    await bounded(serverSocketClosed, 5_000, 'the server to shed the slow-body connection');
    const answers = parseResponses(connection.received());
    expect(answers).toHaveLength(1);
    expect(answers[0]?.status).toBe(408);
    expect(answers[0]?.headers['content-type']).toBe('application/problem+json');
    expect(answers[0]?.headers.connection).toBe('close');
    // Answered by the service itself: it carries the request id.
    const problem = JSON.parse(answers[0]?.body ?? '');
    expect(problem).toMatchObject({
      status: 408,
      detail: 'The request body was not received in time.',
    });
    expect(answers[0]?.headers['x-request-id']).toBe(problem.requestId);
  });

  it('that sends its body too slowly to a handler not reading it gets a 408, and the late answer is dropped', async () => {
    const { port, serverSocketClosed, release, answered } = await start();
    const connection = await connectTo(port);
    await connection.write(
      'POST /busy HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 8192\r\n\r\n{"na',
    );
    await bounded(serverSocketClosed, 5_000, 'the server to shed the slow-body connection');
    release();
    await bounded(
      new Promise<void>((resolve) => {
        const check = () => (answered.length > 0 ? resolve() : setImmediate(check));
        check();
      }),
      5_000,
      'the busy handler to finish',
    );
    const answers = parseResponses(connection.received());
    expect(answers.map((a) => a.status)).toEqual([408]);
    expect(answers[0]?.headers['content-type']).toBe('application/problem+json');
  });
});

describe('the server settings', () => {
  it('check for expired connections every tenth of the shortest timeout, at most every second', () => {
    expect(checkingIntervalFor(10_000, 30_000)).toBe(1_000);
    expect(checkingIntervalFor(5_000, 8_000)).toBe(500);
    expect(checkingIntervalFor(200, 400)).toBe(25);
    expect(checkingIntervalFor(0, 0)).toBe(1_000);
  });

  it('default requestTimeoutMs to 30 s, or headersTimeoutMs when that is longer', () => {
    expect(serverSettings({}).requestTimeoutMs).toBe(30_000);
    expect(serverSettings({ headersTimeoutMs: 66_000 }).requestTimeoutMs).toBe(66_000);
  });

  it('refuse a headersTimeoutMs longer than requestTimeoutMs', () => {
    expect(() => serverSettings({ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 })).toThrow(
      /headersTimeoutMs \(20000\) cannot exceed server.requestTimeoutMs \(10000\)/,
    );
  });
});
