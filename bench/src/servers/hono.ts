// Hono on @hono/node-server, built by hand: the baseline Milkyway is compared with.
import { serve } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { jwk } from 'hono/jwk';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { announce, HELLO, scenario } from './announce.js';
import {
  ADMIT_ALL,
  AUDIENCE,
  benchAlg,
  ISSUER,
  ORDERS,
  type Order,
  OrderParams,
  publicJwk,
} from './fixtures.js';

const app = new Hono<{ Variables: { jwtPayload: { sub?: string } } }>();
let beforeExit: (() => Promise<unknown>) | undefined;

switch (scenario()) {
  case 'hello':
    app.get('/', (c) => c.text(HELLO));
    break;

  case 'hello-secure-headers': {
    // Diagnostic: bare Hono plus hono/secure-headers (what createService turns on by default).
    const { secureHeaders } = await import('hono/secure-headers');
    app.use(secureHeaders());
    app.get('/', (c) => c.text(HELLO));
    break;
  }

  case 'otel': {
    // @hono/otel's middleware with the SDK registered (batch processor, in-memory exporters).
    const { setupPeerTracing } = await import('./otel-peer.js');
    const { setupPeerMetrics } = await import('./otel-metrics-peer.js');
    const { httpInstrumentationMiddleware } = await import('@hono/otel');
    const tracing = setupPeerTracing();
    const metrics = setupPeerMetrics();
    beforeExit = () => Promise.all([tracing.shutdown(), metrics.shutdown()]);
    app.use(httpInstrumentationMiddleware({ serviceName: 'bench' }));
    app.get('/', (c) => c.text(HELLO));
    break;
  }

  case 'jwt': {
    // hono/jwk with the public key given inline (no JWKS fetch), algorithm allow-listed.
    const alg = benchAlg();
    app.use(
      '/me',
      jwk({
        keys: [publicJwk(alg) as never],
        alg: [alg],
        verification: { iss: ISSUER, aud: AUDIENCE },
      }),
    );
    app.get('/me', (c) => c.json({ subject: c.get('jwtPayload').sub }));
    break;
  }

  case 'orders': {
    const { setupPeerTracing } = await import('./otel-peer.js');
    const tracing = setupPeerTracing();
    beforeExit = () => tracing.shutdown();
    const limiter = new RateLimiterMemory({
      points: ADMIT_ALL.points,
      duration: ADMIT_ALL.durationS,
    });
    const cache = new LRUCache<string, Order>({ max: 1000, ttl: 60_000 });

    const span: MiddlewareHandler = async (c, next) => {
      const s = tracing.start(c.req.method, '/orders/:id', c.req.path);
      try {
        await next();
      } finally {
        tracing.end(s, c.res.status);
      }
    };
    const rateLimit: MiddlewareHandler<{ Variables: { jwtPayload: { sub?: string } } }> = async (
      c,
      next,
    ) => {
      const key = c.get('jwtPayload')?.sub ?? 'anonymous';
      try {
        await limiter.consume(key);
      } catch {
        return c.json({ title: 'Too Many Requests', status: 429 }, 429);
      }
      await next();
    };
    app.get(
      '/orders/:id',
      span,
      jwk({
        keys: [publicJwk('ES256') as never],
        alg: ['ES256'],
        verification: { iss: ISSUER, aud: AUDIENCE },
      }),
      rateLimit,
      (c) => {
        const parsed = OrderParams.safeParse(c.req.param());
        if (!parsed.success) return c.json({ title: 'Bad Request', status: 400 }, 400);
        const id = parsed.data.id;
        let order = cache.get(id);
        if (!order) {
          order = ORDERS.get(id);
          if (order) cache.set(id, order);
        }
        if (!order) return c.json({ title: 'Not Found', status: 404 }, 404);
        return c.json(order);
      },
    );
    break;
  }

  default:
    throw new Error(`hono: unknown scenario ${scenario()}`);
}

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
  announce(server, beforeExit),
);
