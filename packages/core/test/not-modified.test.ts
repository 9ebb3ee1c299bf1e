import { afterEach, describe, expect, it } from 'vitest';
import {
  createCache,
  createService,
  responseCache,
  type Service,
  silentLogger,
} from '../src/index.js';
import { hasResponses, openRaw, parseResponses, type RawConnection } from './raw-socket.js';

let running: Service<never> | undefined;
const open: RawConnection[] = [];

afterEach(async () => {
  for (const connection of open.splice(0)) connection.destroy();
  await running?.close();
  running = undefined;
});

describe('a 304 Not Modified on the wire', () => {
  it('from responseCache carries the validators and no representation metadata (RFC 9110 §15.4.5)', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    running = service as never;
    const cache = createCache({ namespace: 'http', ttlMs: 30_000 });
    service.get('/products/p1', responseCache({ cache, vary: ['accept-language'] }), (c) =>
      c.json({ id: 'p1' }),
    );
    const { port, url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    const first = await fetch(`${url}/products/p1`);
    await first.text();
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();

    const connection = await openRaw(port);
    open.push(connection);
    await connection.write(
      `GET /products/p1 HTTP/1.1\r\nHost: t\r\nIf-None-Match: ${etag}\r\n\r\n`,
    );
    const [answer] = parseResponses(await connection.waitFor('the 304', hasResponses(1)));
    expect(answer?.status).toBe(304);
    expect(answer?.headers.etag).toBe(etag);
    expect(answer?.headers['cache-control']).toBe('public, max-age=30');
    expect(answer?.headers.vary).toBe('accept-language');
    expect(answer?.headers.date).toBeTruthy();
    expect(answer?.headers['content-type']).toBeUndefined();
    expect(answer?.headers['content-length']).toBeUndefined();
    expect(answer?.body).toBe('');
  });
});
