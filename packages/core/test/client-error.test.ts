import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createService, type Service, silentLogger } from '../src/index.js';
import { answerClientError } from '../src/server/client-error.js';

/** Sends raw bytes on a fresh socket and resolves with everything the server wrote back. */
function raw(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset while we are still sending: what it wrote first still counts.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(received);
      else reject(error);
    });
    socket.write(payload);
  });
}

function parse(response: string) {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()];
    }),
  );
  return { statusLine, headers, body: JSON.parse(body) as Record<string, unknown> };
}

let running: Service<never> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start() {
  const service = createService({ name: 't', version: '0', logger: silentLogger });
  running = service as never;
  service.get('/hello', (c) => c.text('hello'));
  const { port, url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
  return { port, url };
}

describe('requests Node rejects before routing', () => {
  it('answers oversized headers with a 431 problem and keeps serving', async () => {
    const { port, url } = await start();
    const big = 'x'.repeat(20 * 1024);
    const res = parse(await raw(port, `GET /hello HTTP/1.1\r\nHost: a\r\nX-Big: ${big}\r\n\r\n`));
    expect(res.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.connection).toBe('close');
    expect(res.body).toMatchObject({ type: 'about:blank', status: 431 });
    expect((await fetch(`${url}/hello`)).status).toBe(200);
  });

  it('answers garbage with a 400 problem and keeps serving', async () => {
    const { port, url } = await start();
    const res = parse(await raw(port, 'this is not http\r\n\r\n'));
    expect(res.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(res.body)));
    expect(res.body).toMatchObject({ title: 'Bad Request', status: 400 });
    expect((await fetch(`${url}/hello`)).status).toBe(200);
  });
});

describe('the client error answer', () => {
  function fakeSocket() {
    const socket = { writable: true, written: '', destroyed: false } as {
      writable: boolean;
      written: string;
      destroyed: boolean;
      write(data: string): void;
      end(done: () => void): void;
      destroy(): void;
    };
    socket.write = (data) => {
      socket.written += data;
    };
    socket.end = (done) => done();
    socket.destroy = () => {
      socket.destroyed = true;
    };
    return socket;
  }
  const linger = { lingerMs: 1_000, lingerMaxBytes: 1_024 };
  const idle = {
    inFlight: () => undefined,
    securityHeaders: () => [['x-content-type-options', 'nosniff'] as const],
    linger,
  };

  it('answers a request timeout with 408', () => {
    const socket = fakeSocket();
    const error = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    answerClientError(error, socket as never, idle);
    expect(socket.written.startsWith('HTTP/1.1 408 Request Timeout\r\n')).toBe(true);
    expect(socket.destroyed).toBe(true);
  });

  it('answers with the security headers', () => {
    const socket = fakeSocket();
    const error = Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' });
    answerClientError(error, socket as never, idle);
    expect(socket.written).toContain('\r\nx-content-type-options: nosniff\r\n');
  });

  it('only destroys a reset connection', () => {
    const socket = fakeSocket();
    answerClientError(
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      socket as never,
      idle,
    );
    expect(socket.written).toBe('');
    expect(socket.destroyed).toBe(true);
  });

  it('writes nothing on a socket in the middle of a response', () => {
    const socket = fakeSocket();
    const error = Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' });
    const responding = { headersSent: true, req: { listenerCount: () => 1 } };
    answerClientError(error, socket as never, { ...idle, inFlight: () => responding as never });
    expect(socket.written).toBe('');
    expect(socket.destroyed).toBe(true);
  });
});
