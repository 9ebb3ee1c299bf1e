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

describe('connection tracking', () => {
  it('does not keep a finished response reachable from its keep-alive connection', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    let last: WeakRef<ServerResponse> | undefined;
    let finished: Promise<void> | undefined;
    service.get('/r', (c) => {
      const outgoing = (c.env as { outgoing: ServerResponse }).outgoing;
      last = new WeakRef(outgoing);
      finished = new Promise((resolve) => outgoing.once('finish', () => resolve()));
      return c.text('ok');
    });
    const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, agent)).toBe(200);
      expect(await get(port, agent)).toBe(200);
      await finished;
      // The connection stays open (keep-alive); its last response must be garbage now.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      expect(last?.deref()).toBeUndefined();
    } finally {
      agent.destroy();
      await service.close();
    }
  });

  it('does not keep a finished answer to a request with a body reachable either', async () => {
    // Requests announcing a body get the early-answer rule (lingering close): their response
    // was noted on the socket until the connection's next such request.
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    let last: WeakRef<ServerResponse> | undefined;
    let finished: Promise<void> | undefined;
    service.post('/r', async (c) => {
      const outgoing = (c.env as { outgoing: ServerResponse }).outgoing;
      last = new WeakRef(outgoing);
      finished = new Promise((resolve) => outgoing.once('finish', () => resolve()));
      return c.text(await c.req.text());
    });
    const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, agent, 'one')).toBe(200);
      expect(await get(port, agent, 'two')).toBe(200);
      await finished;
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      expect(last?.deref()).toBeUndefined();
    } finally {
      agent.destroy();
      await service.close();
    }
  });
});
