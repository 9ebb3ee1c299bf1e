import { Agent, request as httpRequest, type ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createService, silentLogger } from '../src/index.js';

setFlagsFromString('--expose-gc');
/** A full garbage collection (the flag above makes `gc` available to a new context). */
const gc = runInNewContext('gc') as () => void;

function get(port: number, agent: Agent, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/r', agent, method: body === undefined ? 'GET' : 'POST' },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Serves `/r` (GET, or POST echoing the body when `bodies` are given) over one keep-alive
 * connection, twice, and tells whether the last finished response could be garbage-collected
 * while the connection stays open.
 */
async function lastResponseCollected(bodies?: [string, string]): Promise<boolean> {
  const service = createService({ name: 't', version: '0', logger: silentLogger });
  let last: WeakRef<ServerResponse> | undefined;
  let finished: Promise<void> | undefined;
  const track = (c: { env: unknown }) => {
    const outgoing = (c.env as { outgoing: ServerResponse }).outgoing;
    last = new WeakRef(outgoing);
    finished = new Promise((resolve) => outgoing.once('finish', () => resolve()));
  };
  service.get('/r', (c) => {
    track(c);
    return c.text('ok');
  });
  service.post('/r', async (c) => {
    track(c);
    return c.text(await c.req.text());
  });
  const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    expect(await get(port, agent, bodies?.[0])).toBe(200);
    expect(await get(port, agent, bodies?.[1])).toBe(200);
    await finished;
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    return last?.deref() === undefined;
  } finally {
    agent.destroy();
    await service.close();
  }
}

describe('connection tracking', () => {
  it('does not keep a finished response reachable from its keep-alive connection', async () => {
    expect(await lastResponseCollected()).toBe(true);
  });

  it('does not keep a finished answer to a request with a body reachable either', async () => {
    // Requests announcing a body get the early-answer rule (lingering close): their response
    // was noted on the socket until the connection's next such request.
    expect(await lastResponseCollected(['one', 'two'])).toBe(true);
  });
});
