import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { type Context, Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  memoryRateLimitStore,
  type RateLimitDecision,
  RateLimitedError,
  type RateLimitStore,
  RateLimitUnavailableError,
  rateLimit,
} from '../src/index.js';
import { addressKey } from '../src/rate-limit/client-address.js';
import { problemApp } from './contracts/problem-app.js';
import { installMetricReader, manualClock, principalFromHeader } from './support.js';

const { exporter, reader } = installMetricReader();

function appWith(options: Parameters<typeof rateLimit>[0]) {
  const app = problemApp();
  app.use(rateLimit(options));
  app.get('/', (c) => c.text('ok'));
  return app;
}

const fromPeer = (ip: string) => () => ip;

describe('rateLimit', () => {
  it('sends the RateLimit-Policy and RateLimit fields on admitted responses', async () => {
    const app = appWith({
      name: 'api',
      limit: 100,
      windowMs: 60_000,
      remoteAddress: fromPeer('10.0.0.1'),
    });
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('RateLimit-Policy')).toBe('"api";q=100;w=60');
    expect(res.headers.get('RateLimit')).toBe('"api";r=99;t=1');
  });

  it('rejects the request after the limit with 429 problem+json and Retry-After', async () => {
    const { clock } = manualClock();
    const app = appWith({
      name: 'api',
      limit: 2,
      windowMs: 10_000,
      clock,
      remoteAddress: fromPeer('10.0.0.1'),
    });
    await app.request('/');
    await app.request('/');
    const res = await app.request('/');
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('Retry-After')).toBe('5');
    expect(res.headers.get('RateLimit')).toBe('"api";r=0;t=10');
    expect(await res.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
  });

  it('admits again once the emission interval has passed', async () => {
    const { clock, advance } = manualClock();
    const app = appWith({ limit: 2, windowMs: 10_000, clock, remoteAddress: fromPeer('10.0.0.1') });
    await app.request('/');
    await app.request('/');
    expect((await app.request('/')).status).toBe(429);
    advance(5_000);
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(429);
  });

  it('never lets a second burst through at a window edge', async () => {
    const { clock, advance } = manualClock();
    const app = appWith({ limit: 10, windowMs: 1_000, clock, remoteAddress: fromPeer('10.0.0.1') });
    for (let i = 0; i < 10; i++) await app.request('/');
    advance(999);
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await app.request('/')).status);
    // A fixed window would reset here and admit 10 more; GCRA admits what refilled (9).
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
  });

  it('limits clients by their socket address separately', async () => {
    let ip = '10.0.0.1';
    const app = appWith({ limit: 1, windowMs: 60_000, remoteAddress: () => ip });
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(429);
    ip = '10.0.0.2';
    expect((await app.request('/')).status).toBe(200);
  });

  it('ignores X-Forwarded-For unless proxies are trusted', async () => {
    const app = appWith({ limit: 1, windowMs: 60_000, remoteAddress: fromPeer('10.0.0.1') });
    await app.request('/', { headers: { 'x-forwarded-for': '1.1.1.1' } });
    const res = await app.request('/', { headers: { 'x-forwarded-for': '2.2.2.2' } });
    expect(res.status).toBe(429);
  });

  it('keys by the address the trusted proxy appended, not one the client forged', async () => {
    const app = appWith({
      limit: 1,
      windowMs: 60_000,
      trustProxy: 1,
      remoteAddress: fromPeer('10.0.0.254'),
    });
    await app.request('/', { headers: { 'x-forwarded-for': '6.6.6.6, 1.1.1.1' } });
    const forged = await app.request('/', { headers: { 'x-forwarded-for': '7.7.7.7, 1.1.1.1' } });
    expect(forged.status).toBe(429);
    const other = await app.request('/', { headers: { 'x-forwarded-for': '2.2.2.2' } });
    expect(other.status).toBe(200);
  });

  it('keys by principal subject when asked, falling back to the address for anonymous calls', async () => {
    const app = problemApp();
    app.use(principalFromHeader);
    app.use(
      rateLimit({
        limit: 1,
        windowMs: 60_000,
        key: 'principal',
        remoteAddress: fromPeer('10.0.0.1'),
      }),
    );
    app.get('/', (c) => c.text('ok'));
    expect((await app.request('/', { headers: { 'x-user': 'alice' } })).status).toBe(200);
    expect((await app.request('/', { headers: { 'x-user': 'alice' } })).status).toBe(429);
    expect((await app.request('/', { headers: { 'x-user': 'bob' } })).status).toBe(200);
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(429);
  });

  it('keys by a function and skips requests it returns undefined for', async () => {
    const app = appWith({
      limit: 1,
      windowMs: 60_000,
      key: (c: Context) => c.req.header('x-tenant'),
    });
    expect((await app.request('/', { headers: { 'x-tenant': 't1' } })).status).toBe(200);
    expect((await app.request('/', { headers: { 'x-tenant': 't1' } })).status).toBe(429);
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(200);
  });

  it('charges the cost the route declares', async () => {
    const app = appWith({
      limit: 10,
      windowMs: 60_000,
      cost: 4,
      remoteAddress: fromPeer('10.0.0.1'),
    });
    expect((await app.request('/')).headers.get('RateLimit')).toMatch(/r=6;/);
  });

  it('keeps two limiters on one store apart by name', async () => {
    const store = memoryRateLimitStore();
    const app = problemApp();
    app.use(
      rateLimit({
        name: 'a',
        limit: 1,
        windowMs: 60_000,
        store,
        remoteAddress: fromPeer('1.1.1.1'),
      }),
    );
    app.use(
      rateLimit({
        name: 'b',
        limit: 1,
        windowMs: 60_000,
        store,
        remoteAddress: fromPeer('1.1.1.1'),
      }),
    );
    app.get('/', (c) => c.text('ok'));
    expect((await app.request('/')).status).toBe(200);
  });

  it('throws a branded RateLimitedError', async () => {
    let caught: unknown;
    const app = problemApp();
    app.use(async (c, next) => {
      try {
        await next();
      } finally {
        caught = c.error;
      }
    });
    app.use(rateLimit({ limit: 1, windowMs: 60_000, remoteAddress: fromPeer('1.1.1.1') }));
    app.get('/', (c) => c.text('ok'));
    await app.request('/');
    await app.request('/');
    expect(RateLimitedError.is(caught)).toBe(true);
    expect(RateLimitedError.is(new Error('x'))).toBe(false);
  });

  it('marks its rejection as Milkyway load shedding, which circuit breakers never count', () => {
    const error = new RateLimitedError('api', 1, {}) as unknown as Record<symbol, unknown>;
    expect(error[Symbol.for('milkyway.rejection')]).toBe(true);
  });

  it('counts rejections in milkyway.rate_limit.rejections', async () => {
    const app = appWith({
      name: 'metered',
      limit: 1,
      windowMs: 60_000,
      remoteAddress: fromPeer('1.1.1.1'),
    });
    await app.request('/');
    await app.request('/');
    await app.request('/');
    await reader.forceFlush();
    const points = exporter
      .getMetrics()
      .flatMap((m) => m.scopeMetrics)
      .filter((s) => s.scope.name === '@milkyway/core')
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'milkyway.rate_limit.rejections')
      .flatMap((m) => m.dataPoints as DataPoint<number>[]);
    const metered = points
      .filter((p) => p.attributes['milkyway.rate_limit.name'] === 'metered')
      .at(-1);
    expect(metered?.value).toBe(2);
  });

  describe('when the store is unreachable', () => {
    let healthy = false;
    const flaky: RateLimitStore = {
      check(key, policy, cost, now): Promise<RateLimitDecision> {
        if (!healthy) return Promise.reject(new Error('ECONNREFUSED'));
        return Promise.resolve(memoryRateLimitStore().check(key, policy, cost, now));
      },
      reset() {},
    };
    const logger = () => {
      const lines: string[] = [];
      return {
        lines,
        logger: {
          warn: (_: object, m?: string) => lines.push(`warn ${m}`),
          info: (_: object, m?: string) => lines.push(`info ${m}`),
          debug() {},
        },
      };
    };

    it('admits requests unlimited when failing open, logging the outage once and the recovery', async () => {
      healthy = false;
      const log = logger();
      const app = appWith({
        limit: 1,
        windowMs: 60_000,
        store: flaky,
        logger: log.logger,
        remoteAddress: fromPeer('1.1.1.1'),
      });
      expect((await app.request('/')).status).toBe(200);
      expect((await app.request('/')).status).toBe(200);
      healthy = true;
      expect((await app.request('/')).headers.get('RateLimit')).not.toBeNull();
      expect(log.lines).toEqual([
        'warn rate limit store unavailable; admitting requests unlimited',
        'info rate limit store recovered',
      ]);
    });

    it('rejects with 503 and Retry-After when failing closed, and recovers', async () => {
      healthy = false;
      const log = logger();
      const app = appWith({
        limit: 5,
        windowMs: 60_000,
        store: flaky,
        failOpen: false,
        logger: log.logger,
        remoteAddress: fromPeer('1.1.1.1'),
      });
      const down = await app.request('/');
      expect(down.status).toBe(503);
      expect(down.headers.get('Retry-After')).toBe('1');
      expect(await down.json()).toMatchObject({ title: 'Service Unavailable' });
      healthy = true;
      expect((await app.request('/')).status).toBe(200);
    });

    it('brands the fail-closed error', () => {
      expect(RateLimitUnavailableError.is(new RateLimitUnavailableError('x', 1))).toBe(true);
    });
  });

  it('refuses a burst larger than the limit', () => {
    expect(() => rateLimit({ limit: 5, windowMs: 1_000, burst: 6 })).toThrow(TypeError);
  });

  it('refuses a name that cannot be sent in a header', () => {
    expect(() => rateLimit({ name: 'a"b', limit: 5, windowMs: 1_000 })).toThrow(TypeError);
  });
});

describe('clientAddress', () => {
  const ctx = (xff?: string) =>
    ({
      req: { header: (name: string) => (name === 'x-forwarded-for' ? xff : undefined) },
    }) as unknown as Context;

  it('returns the socket peer when no proxy is trusted', () => {
    expect(clientAddress(ctx('1.1.1.1'), false, () => '10.0.0.1')).toBe('10.0.0.1');
  });

  it('walks two trusted hops from the right', () => {
    expect(clientAddress(ctx('9.9.9.9, 1.1.1.1, 10.0.0.2'), 2, () => '10.0.0.3')).toBe('1.1.1.1');
  });

  it('skips addresses a trust function accepts', () => {
    const trusted = (ip: string) => ip.startsWith('10.');
    expect(clientAddress(ctx('9.9.9.9, 1.1.1.1, 10.0.0.2'), trusted, () => '10.0.0.3')).toBe(
      '1.1.1.1',
    );
  });

  it('does not trust X-Forwarded-For from an untrusted peer', () => {
    const trusted = (ip: string) => ip.startsWith('10.');
    expect(clientAddress(ctx('1.1.1.1'), trusted, () => '8.8.8.8')).toBe('8.8.8.8');
  });
});

describe('rateLimit on @hono/node-server', () => {
  it('keys by the socket address from getConnInfo', async () => {
    const { serve } = await import('@hono/node-server');
    const app = appWith({ limit: 1, windowMs: 60_000 });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const first = await fetch(`http://127.0.0.1:${port}/`);
      const second = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { 'x-forwarded-for': '5.5.5.5' },
      });
      expect(first.status).toBe(200);
      expect(second.status).toBe(429);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('memoryRateLimitStore', () => {
  const policy = { limit: 1, windowMs: 1_000, burst: 1 };
  const longPolicy = { limit: 1, windowMs: 60_000, burst: 1 };

  it('answers synchronously', () => {
    const store = memoryRateLimitStore();
    const decision = store.check('k', policy, 1, 0);
    expect(decision).not.toBeInstanceOf(Promise);
    expect((decision as RateLimitDecision).allowed).toBe(true);
  });

  it('drops keys whose burst is full again before limited ones when it reaches maxEntries', () => {
    const store = memoryRateLimitStore({ maxEntries: 2 });
    store.check('short', policy, 1, 0);
    store.check('long', longPolicy, 1, 0);
    store.check('new', policy, 1, 2_000); // 'short' is back to full at 1 000: it goes first
    expect((store.check('long', longPolicy, 1, 2_000) as RateLimitDecision).allowed).toBe(false);
  });

  it('drops the oldest keys when every tracked key is still limited', () => {
    const store = memoryRateLimitStore({ maxEntries: 2 });
    store.check('first', longPolicy, 1, 0);
    store.check('second', longPolicy, 1, 0);
    store.check('third', longPolicy, 1, 0);
    expect((store.check('first', longPolicy, 1, 0) as RateLimitDecision).allowed).toBe(true);
    expect((store.check('third', longPolicy, 1, 0) as RateLimitDecision).allowed).toBe(false);
  });

  it('reuses the slot of a key it dropped', () => {
    const store = memoryRateLimitStore({ maxEntries: 4 });
    for (let i = 0; i < 100; i++) store.check(`k${i}`, policy, 1, i * 2_000);
    expect((store.check('k99', policy, 1, 99 * 2_000) as RateLimitDecision).allowed).toBe(false);
  });
});

describe('rateLimit cost validation', () => {
  it('refuses a fixed cost larger than the burst', () => {
    expect(() => rateLimit({ limit: 5, windowMs: 1_000, cost: 6 })).toThrow(TypeError);
  });

  it('fails the request (500) rather than corrupting the count when a cost function returns NaN', async () => {
    const app = appWith({
      limit: 5,
      windowMs: 1_000,
      cost: () => Number.NaN,
      remoteAddress: fromPeer('1.1.1.1'),
    });
    expect((await app.request('/')).status).toBe(500);
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses as they are', () => {
    expect(addressKey('192.0.2.1', 64)).toBe('192.0.2.1');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(addressKey('::ffff:192.0.2.1', 64)).toBe('192.0.2.1');
  });

  it('cuts IPv6 addresses to their /64', () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6', 64)).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9', 64)).toBe('2001:db8:1:2::/64');
  });

  it('cuts at bit boundaries inside a group', () => {
    expect(addressKey('2001:db8:12ff::1', 40)).toBe('2001:db8:1200::/40');
  });

  it('keeps the whole IPv6 address when subnets are off', () => {
    expect(addressKey('2001:DB8::1', false)).toBe('2001:db8::1');
  });

  it('returns input it cannot parse unchanged', () => {
    expect(addressKey('not:an:address:::', 64)).toBe('not:an:address:::');
  });

  it('makes the limiter count two addresses of one /64 as one client', async () => {
    let ip = '2001:db8:1:2::1';
    const app = appWith({ limit: 1, windowMs: 60_000, remoteAddress: () => ip });
    expect((await app.request('/')).status).toBe(200);
    ip = '2001:db8:1:2::2';
    expect((await app.request('/')).status).toBe(429);
  });
});

describe('stacked limiters', () => {
  const stacked = () => {
    const { clock } = manualClock();
    const app = new Hono();
    app.get(
      '/r',
      rateLimit({ name: 'burst', limit: 2, windowMs: 1_000, clock }),
      rateLimit({ name: 'hourly', limit: 100, windowMs: 3_600_000, clock }),
      (c) => c.text('ok'),
    );
    return app;
  };

  it('lists every policy and every limit on an admitted response, as structured-field lists', async () => {
    const res = await stacked().request('/r');
    expect(res.headers.get('RateLimit-Policy')).toBe('"burst";q=2;w=1, "hourly";q=100;w=3600');
    expect(res.headers.get('RateLimit')).toBe('"burst";r=1;t=1, "hourly";r=99;t=36');
  });

  it('lists the same policies on every admitted response', async () => {
    const app = stacked();
    const first = await app.request('/r');
    const second = await app.request('/r');
    expect(second.headers.get('RateLimit-Policy')).toBe(first.headers.get('RateLimit-Policy'));
  });

  it('lists the policies that ran on a refused response', async () => {
    const app = new Hono();
    const { clock } = manualClock();
    app.get(
      '/r',
      rateLimit({ name: 'hourly', limit: 100, windowMs: 3_600_000, clock }),
      rateLimit({ name: 'burst', limit: 1, windowMs: 1_000, clock }),
      (c) => c.text('ok'),
    );
    app.onError((err, c) =>
      c.text('limited', 429, (err as unknown as { headers: Record<string, string> }).headers),
    );
    await app.request('/r');
    const refused = await app.request('/r');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('RateLimit-Policy')).toBe('"hourly";q=100;w=3600, "burst";q=1;w=1');
  });

  it('refuses a window that is not a whole number of seconds while headers are sent', () => {
    expect(() => rateLimit({ limit: 10, windowMs: 500 })).toThrow(/whole number of seconds/);
    expect(() => rateLimit({ limit: 10, windowMs: 500, headers: false })).not.toThrow();
  });
});
