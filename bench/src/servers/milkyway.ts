// Milkyway: every scenario built from the packages' public entry points only.
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

/**
 * jwtAuth with the public key as a static JWK set (no JWKS fetch), algorithm allow-listed.
 * Imported on use, so that the scenarios without auth (§1 hello, §7) do not load @milkyway/auth
 * and jose (the bare-Hono peer loads nothing it does not use either: RSS is compared in §1/§6).
 */
const auth = async (alg: 'ES256' | 'RS256', cache = true) =>
  (await import('@milkyway/auth')).jwtAuth({
    jwks: [publicJwk(alg) as never],
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    ...(cache ? {} : { cache: false as const }),
  });

// Which build of the packages this process runs (dist/ or the sources) is the parent's choice
// (BENCH_PACKAGES, lib/builds.ts), made through the tsconfig it starts tsx with.
process.stderr.write(`milkyway: @milkyway/core from ${import.meta.resolve('@milkyway/core')}\n`);
const { createCache, createService, HttpError, rateLimit, responseCache } = await import(
  '@milkyway/core'
);
const name = 'bench';
const version = '0.0.0';
let beforeExit: (() => Promise<unknown>) | undefined;

async function build() {
  switch (scenario()) {
    case 'hello': {
      // createService with its defaults (request id, deadline, errors, body limit, security headers).
      const service = createService({ name, version });
      service.get('/', (c) => c.text(HELLO));
      return service;
    }
    case 'hello-no-secure-headers': {
      // Diagnostic: the same with hono/secure-headers turned off, to show what they cost.
      const service = createService({ name, version, secureHeaders: false });
      service.get('/', (c) => c.text(HELLO));
      return service;
    }
    case 'traced': {
      // tracing() + metrics() with the SDK registered: batch span processor, in-memory exporters
      // (the span exporter is cleared every second so that memory stays flat, as for the peers).
      const { tracing, metrics } = await import('@milkyway/observability');
      const { setupTelemetry } = await import('@milkyway/observability/setup');
      const telemetry = setupTelemetry({
        serviceName: name,
        serviceVersion: version,
        traces: 'memory',
        metrics: 'memory',
      });
      setInterval(() => telemetry.spans?.reset(), 1000).unref();
      beforeExit = () => telemetry.shutdown();
      const service = createService({ name, version }).use(tracing()).use(metrics());
      service.get('/', (c) => c.text(HELLO));
      return service;
    }
    case 'orders':
    case 'orders-observed':
    case 'orders-untraced': {
      // The realistic route: server span (SDK batch processor, in-memory exporter), ES256 bearer
      // verified, admit-all rate limit by principal, zod params, in-memory cache lookup.
      // orders-untraced (diagnostic): the same without tracing() and without the SDK.
      // orders-observed (§5): tracing() + metrics() with both SDK signals registered.
      const service = createService({ name, version });
      if (scenario() === 'orders' || scenario() === 'orders-observed') {
        const observed = scenario() === 'orders-observed';
        const { tracing, metrics } = await import('@milkyway/observability');
        const { setupTelemetry } = await import('@milkyway/observability/setup');
        const telemetry = setupTelemetry({
          serviceName: name,
          serviceVersion: version,
          traces: 'memory',
          metrics: observed ? 'memory' : 'none',
        });
        setInterval(() => telemetry.spans?.reset(), 1000).unref();
        beforeExit = () => telemetry.shutdown();
        service.use(tracing());
        if (observed) service.use(metrics());
      }
      const cache = createCache({ namespace: 'orders', ttlMs: 60_000 });
      service.get(
        '/orders/:id',
        { params: OrderParams },
        // BENCH_TOKEN_CACHE=off (diagnostic): every request verifies its token.
        await auth('ES256', process.env.BENCH_TOKEN_CACHE !== 'off'),
        rateLimit({
          limit: ADMIT_ALL.points,
          windowMs: ADMIT_ALL.durationS * 1000,
          key: 'principal',
        }),
        async (c) => {
          const { id } = c.req.valid('param');
          const order = await cache.getOrLoad<Order | null>(id, async () => ORDERS.get(id) ?? null);
          if (!order) throw new HttpError(404, 'order not found');
          return c.json(order);
        },
      );
      return service;
    }
    case 'jwt': {
      // jwtAuth alone (issue 5): BENCH_ALG, token cache on or off (BENCH_TOKEN_CACHE).
      const service = createService({ name, version });
      service.get('/me', await auth(benchAlg(), process.env.BENCH_TOKEN_CACHE !== 'off'), (c) =>
        c.json({ subject: c.var.principal.subject }),
      );
      return service;
    }
    case 'uncached':
    case 'cached': {
      // GET /orders: 100 orders as JSON (~15 KB), with or without the response cache in front.
      const service = createService({ name, version });
      const list = () => [...ORDERS.values()];
      if (scenario() === 'cached') {
        const cache = createCache({ namespace: 'http', ttlMs: 60_000 });
        service.get('/orders', responseCache({ cache, ttlMs: 60_000 }), (c) => c.json(list()));
      } else {
        service.get('/orders', (c) => c.json(list()));
      }
      return service;
    }
    default:
      throw new Error(
        `milkyway: scenario ${scenario()} is not built yet (its package API has not landed)`,
      );
  }
}

const service = await build();
const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
announce(port, async () => {
  await beforeExit?.();
  await service.close();
});
