import { connect } from 'node:net';
import type { Logger } from '@milkyway/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpClient, type ProxyOptions, proxy } from '../src/http.js';
import { app } from './hono-app.js';
import { listenHono as listen } from './listen.js';
import { faults, startUpstream, type Upstream } from './upstream.js';

// What a client of the gateway must not be able to make it say or do (issue 13 §7).

let upstream: Upstream;
beforeEach(async () => {
  upstream = await startUpstream(faults.json({ ok: true }));
});
afterEach(async () => {
  await upstream.close();
});

function gateway(options: ProxyOptions = {}, vars: Parameters<typeof app>[0] = {}) {
  const client = httpClient({ baseUrl: upstream.url, name: 'catalog', retry: false });
  const hono = app(vars);
  hono.all('/api/catalog/*', proxy(client, { stripPrefix: '/api/catalog', ...options }));
  return hono;
}

/** Sends raw bytes (one request, `Connection: close`) and resolves with the status line. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error(`no complete answer within 5 s; got: ${JSON.stringify(received)}`));
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''));
    socket.write(request); // not end(): a half-closed socket may be dropped before the answer
  });
}

describe('proxy: forwarding headers', () => {
  it("drops a client's own X-Forwarded-* and Forwarded headers and sets the gateway's", async () => {
    const hono = gateway();
    await hono.request('http://gateway.example/api/catalog/x', {
      headers: {
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'gopher',
        'x-forwarded-port': '1',
        forwarded: 'for=6.6.6.6;host=evil.example',
      },
    });
    const headers = upstream.requests[0]?.headers ?? {};
    expect(headers['x-forwarded-host']).toBe('gateway.example');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-for']).toBeUndefined(); // no socket: no peer address to report
    expect(headers['x-forwarded-port']).toBeUndefined();
    expect(headers.forwarded).toBeUndefined();
  });

  it('reports the socket peer as X-Forwarded-For when the peer is not a trusted proxy', async () => {
    const server = await listen(gateway());
    try {
      const status = await raw(
        server.port,
        'GET /api/catalog/x HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-For: 6.6.6.6\r\n' +
          'X-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n',
      );
      expect(status).toBe('HTTP/1.1 200 OK');
      const headers = upstream.requests[0]?.headers ?? {};
      expect(headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(headers['x-forwarded-host']).toBe('shop.example');
    } finally {
      await server.close();
    }
  });

  it("keeps a trusted proxy's forwarding headers and appends the peer to the chain", async () => {
    const server = await listen(gateway({ trustProxy: (address) => address === '127.0.0.1' }));
    try {
      await raw(
        server.port,
        'GET /api/catalog/x HTTP/1.1\r\nHost: gateway.internal\r\nX-Forwarded-For: 203.0.113.9\r\n' +
          'X-Forwarded-Host: shop.example\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n',
      );
      const headers = upstream.requests[0]?.headers ?? {};
      expect(headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
      expect(headers['x-forwarded-host']).toBe('shop.example');
      expect(headers['x-forwarded-proto']).toBe('https');
    } finally {
      await server.close();
    }
  });
});

describe('proxy: deadlines', () => {
  it("never passes on a client's own x-deadline-ms", async () => {
    const hono = gateway();
    await hono.request('/api/catalog/x', { headers: { 'x-deadline-ms': '99999999' } });
    expect(upstream.requests[0]?.headers['x-deadline-ms']).toBeUndefined();
  });
});

describe('proxy: absolute-form request targets', () => {
  it('refuses an absolute-form request naming a host other than Host, and forwards nothing', async () => {
    const server = await listen(gateway());
    try {
      const status = await raw(
        server.port,
        `GET http://evil.example/api/catalog/x HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
          'Connection: close\r\n\r\n',
      );
      expect(status).toBe('HTTP/1.1 421 Misdirected Request');
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('forwards an absolute-form request that names its own Host', async () => {
    const server = await listen(gateway());
    try {
      const authority = `127.0.0.1:${server.port}`;
      const status = await raw(
        server.port,
        `GET http://${authority}/api/catalog/x HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`,
      );
      expect(status).toBe('HTTP/1.1 200 OK');
      expect(upstream.requests[0]?.headers['x-forwarded-host']).toBe(authority);
    } finally {
      await server.close();
    }
  });
});

describe('proxy: Connection cannot remove what the gateway forwards', () => {
  it('forwards Authorization even when the client lists it in Connection', async () => {
    const hono = gateway();
    await hono.request('/api/catalog/x', {
      headers: {
        authorization: 'Bearer t',
        connection: 'authorization, x-hop',
        'x-hop': '1',
      },
    });
    const headers = upstream.requests[0]?.headers ?? {};
    expect(headers.authorization).toBe('Bearer t');
    expect(headers['x-hop']).toBeUndefined();
  });

  it('forwards the request id and trace context even when the client lists them in Connection', async () => {
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const hono = gateway({}, { requestId: 'req-7' });
    await hono.request('/api/catalog/x', {
      headers: { traceparent, connection: 'x-request-id, traceparent, x-forwarded-host' },
    });
    const headers = upstream.requests[0]?.headers ?? {};
    expect(headers['x-request-id']).toBe('req-7');
    expect(headers.traceparent).toBe(traceparent);
    expect(headers['x-forwarded-host']).toBe('localhost');
  });

  it('forwards the headers named in keepHeaders whatever Connection says', async () => {
    const hono = gateway({ keepHeaders: ['x-tenant'] });
    await hono.request('/api/catalog/x', {
      headers: { 'x-tenant': 'acme', connection: 'x-tenant' },
    });
    expect(upstream.requests[0]?.headers['x-tenant']).toBe('acme');
  });
});

describe('proxy: 5xx details', () => {
  function recordingLogger() {
    const lines: Array<{ level: string; fields: Record<string, unknown>; message?: string }> = [];
    const logger: Logger = {
      debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
      info: (fields, message) => lines.push({ level: 'info', fields, message }),
      warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
      error: (fields, message) => lines.push({ level: 'error', fields, message }),
      child: () => logger,
    };
    return { logger, lines };
  }

  it('tells the client a generic detail for an unreachable upstream and logs the specifics', async () => {
    const { logger, lines } = recordingLogger();
    const hono = gateway({}, { logger });
    await upstream.close();
    const res = await hono.request('/api/catalog/x');
    expect(res.status).toBe(502);
    const body = (await res.json()) as { detail?: string };
    expect(body.detail).toBe('upstream unreachable');
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ code: 'ECONNREFUSED', upstream: 'catalog' }),
      }),
    );
  });
});
