import { describe, expect, it } from 'vitest';
import {
  createCache,
  createService,
  rateLimit,
  responseCache,
  silentLogger,
} from '../src/index.js';

// The middleware on core's own service: errors rendered by core's problem+json handler.
describe('rateLimit and responseCache on createService', () => {
  const service = () => {
    const s = createService({ name: 'limited', version: '1.0.0', logger: silentLogger });
    s.use(
      '/limited',
      rateLimit({ name: 'api', limit: 1, windowMs: 60_000, remoteAddress: () => '192.0.2.1' }),
    );
    s.get('/limited', (c) => c.json({ ok: true }));
    const cache = createCache({ ttlMs: 60_000 });
    let n = 0;
    s.get('/cached', responseCache({ cache }), (c) => c.json({ n: ++n }));
    return s;
  };

  it('renders a rejection as 429 problem+json with Retry-After and the RateLimit fields', async () => {
    const s = service();
    const ok = await s.request('/limited');
    expect(ok.headers.get('RateLimit')).toBe('"api";r=0;t=60');
    const res = await s.request('/limited');
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('Retry-After')).toBe('60');
    expect(res.headers.get('RateLimit-Policy')).toBe('"api";q=1;w=60');
    expect(await res.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
  });

  it('serves a cached response through the service with this request’s own request id', async () => {
    const s = service();
    await s.request('/cached', { headers: { 'x-request-id': 'req-one' } });
    const second = await s.request('/cached', { headers: { 'x-request-id': 'req-two' } });
    expect(await second.json()).toEqual({ n: 1 });
    expect(second.headers.get('x-request-id')).toBe('req-two');
  });
});
