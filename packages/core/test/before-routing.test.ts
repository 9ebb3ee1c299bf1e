import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, type Service, silentLogger } from '../src/index.js';
import { openRaw, parseResponses, type RawConnection, type RawResponse } from './raw-socket.js';

let running: Service<never> | undefined;
const open: RawConnection[] = [];

afterEach(async () => {
  for (const connection of open.splice(0)) connection.destroy();
  await running?.close();
  running = undefined;
});

async function start() {
  const service = createService({ name: 't', version: '0', logger: silentLogger });
  running = service as never;
  service.get('/hello', (c) => c.text('hello'));
  service.post(
    '/items',
    { body: z.object({ name: z.string() }), responses: { 201: z.object({ name: z.string() }) } },
    (c) => c.json(c.req.valid('json'), 201),
  );
  return service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
}

/** Sends `payload` on a fresh connection; resolves with the one answer once the server closed its side. */
async function exchange(port: number, payload: string): Promise<RawResponse> {
  const connection = await openRaw(port);
  open.push(connection);
  await connection.write(payload);
  await connection.waitFor('the server to answer and close its side', () =>
    connection.serverEnded(),
  );
  const answers = parseResponses(connection.received());
  expect(answers).toHaveLength(1);
  return answers[0] as RawResponse;
}

function expectProblem(answer: RawResponse, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['content-security-policy']).toBe(
    "default-src 'none'; frame-ancestors 'none'",
  );
  expect(answer.headers.connection?.toLowerCase()).toBe('close');
  expect(JSON.parse(answer.body)).toMatchObject({ type: 'about:blank', status });
}

const refused: Array<[string, string, number]> = [
  ['a Host with userinfo (a@evil)', 'GET /hello HTTP/1.1\r\nHost: a@evil\r\n\r\n', 400],
  ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n', 400],
  ['a backslash in the path', 'GET /hel\\lo HTTP/1.1\r\nHost: t\r\n\r\n', 400],
  ['an HTTP/1.1 request without Host (RFC 9112 §3.2)', 'GET /hello HTTP/1.1\r\n\r\n', 400],
  [
    'two Host header lines (RFC 9112 §3.2)',
    'GET /hello HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n',
    400,
  ],
  [
    'a bad chunk size',
    'POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    400,
  ],
  [
    'Transfer-Encoding: xchunked (chunked is not the final coding)',
    'POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: xchunked\r\n\r\n{}',
    400,
  ],
  ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 400],
  [
    'an Expect other than 100-continue',
    'GET /hello HTTP/1.1\r\nHost: t\r\nExpect: foo\r\n\r\n',
    417,
  ],
  ['garbage', 'this is not http\r\n\r\n', 400],
];

describe('a request Node can parse but that is refused before routing', () => {
  it.each(refused)(
    'answers %s with a problem, the security headers, and a close',
    async (_, payload, status) => {
      const { port } = await start();
      expectProblem(await exchange(port, payload), status);
    },
  );

  it('answers an HTTP/1.0 request without Host the same way (no URL can be built)', async () => {
    const { port } = await start();
    expectProblem(await exchange(port, 'GET /hello HTTP/1.0\r\n\r\n'), 400);
  });

  it('keeps serving other connections after refusing one', async () => {
    const { port, url } = await start();
    await exchange(port, 'GET /hello HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n');
    expect(await (await fetch(`${url}/hello`)).text()).toBe('hello');
  });
});
