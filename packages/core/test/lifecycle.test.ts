import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createService, type Service, silentLogger } from '../src/index.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves with the error code of a fresh TCP connection attempt (or 'connected'). */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

function get(
  port: number,
  path: string,
  agent?: Agent,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

let running: Service<never> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('lifecycle', () => {
  it('listens on a free port and reports its URL', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    running = service as never;
    service.get('/hello', (c) => c.text('hello'));
    const info = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    expect(info.port).toBeGreaterThan(0);
    expect(info.url).toBe(`http://127.0.0.1:${info.port}`);
    const res = await fetch(`${info.url}/hello`);
    expect(await res.text()).toBe('hello');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('sets server timeouts that shed slow clients, checked often enough to shed them within a second', async () => {
    const service = createService({
      name: 't',
      version: '0',
      logger: silentLogger,
      server: { headersTimeoutMs: 4_000, requestTimeoutMs: 8_000, keepAliveTimeoutMs: 2_000 },
    });
    running = service as never;
    const { server } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    expect(server.headersTimeout).toBe(4_000);
    expect(server.requestTimeout).toBe(8_000);
    expect(server.keepAliveTimeout).toBe(2_000);
    // Node looks for expired connections only this often (30 s unless set at creation).
    expect((server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval).toBe(
      400,
    );
  });

  it('finishes in-flight requests while refusing new connections during shutdown', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    const entered = deferred();
    const release = deferred();
    service.get('/slow', async (c) => {
      entered.resolve();
      await release.promise;
      return c.text('finished');
    });
    const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    expect(await tryConnect(port)).toBe('connected');

    const inflight = get(port, '/slow');
    await entered.promise;
    const closing = service.close();

    expect(service.state).toBe('closing');
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    const ready = await service.request('/readyz');
    expect(ready.status).toBe(503);

    release.resolve();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(res.body).toBe('finished');
    expect(res.headers.connection).toBe('close');
    await closing;
    expect(service.state).toBe('closed');
  });

  it('closes idle keep-alive connections when shutdown begins', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    service.get('/hello', (c) => c.text('hello'));
    const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await get(port, '/hello', agent);
    const [socket] = Object.values(agent.freeSockets).flat();
    expect(socket).toBeDefined();
    const socketClosed = new Promise<void>((resolve) => socket?.once('close', () => resolve()));
    await service.close();
    await socketClosed;
    agent.destroy();
  });

  it('closes the connections of requests that outlive the drain timeout', async () => {
    const service = createService({
      name: 't',
      version: '0',
      logger: silentLogger,
      shutdownTimeoutMs: 0,
    });
    const entered = deferred();
    service.get('/stuck', async (c) => {
      entered.resolve();
      await new Promise(() => {});
      return c.text('never');
    });
    const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    const stuck = get(port, '/stuck');
    await entered.promise;
    await service.close();
    await expect(stuck).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('runs onClose hooks in reverse order of registration', async () => {
    const order: string[] = [];
    const service = createService({ name: 't', version: '0', logger: silentLogger })
      .onClose(() => {
        order.push('db');
      })
      .onClose(async () => {
        order.push('cache');
      })
      .onClose(() => {
        order.push('queue');
      });
    await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    await service.close();
    expect(order).toEqual(['queue', 'cache', 'db']);
  });

  it('keeps running the remaining hooks when one fails', async () => {
    const order: string[] = [];
    const service = createService({ name: 't', version: '0', logger: silentLogger })
      .onClose(() => {
        order.push('first');
      })
      .onClose(() => {
        throw new Error('hook failed');
      });
    await service.close();
    expect(order).toEqual(['first']);
  });

  it('makes close idempotent', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    const first = service.close();
    expect(service.close()).toBe(first);
    await first;
  });

  it('rejects listen when the port is taken', async () => {
    const a = createService({ name: 'a', version: '0', logger: silentLogger });
    running = a as never;
    const { port } = await a.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    const b = createService({ name: 'b', version: '0', logger: silentLogger });
    await expect(b.listen({ port, hostname: '127.0.0.1', signals: false })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
