// §8 gateway, Milkyway: the storefront gateway's shape. createService (defaults: request id,
// deadline, errors, body limit, security headers), jwtAuth (ES256, static JWK set, token cache
// on), rateLimit by principal (memory store, admits everything), then proxy() through the
// resilient client (breaker, bulkhead, retry budget, attempt timeout) to the one upstream.
// Scenario 'transfer': the proxy alone with 256 MiB limits, for the 100 MB upload/download.
import { serve } from '@hono/node-server';
import { jwtAuth } from '@milkyway/auth';
import { createService, rateLimit } from '@milkyway/core';
import { httpClient, proxy } from '@milkyway/resilience/http';
import { Hono } from 'hono';
import { samplePeakRss, TRANSFER_LIMIT, upstreamUrl } from '../gateway/peak.js';
import { announce, scenario } from './announce.js';
import { ADMIT_ALL, AUDIENCE, ISSUER, publicJwk } from './fixtures.js';

const name = 'gateway';
const version = '0.0.0';

/** The client of the 100 MB transfers: two-minute timeouts, responses up to the transfer limit. */
function transferClient() {
  return httpClient({
    baseUrl: upstreamUrl(),
    name: 'orders',
    attemptTimeoutMs: 120_000,
    totalTimeoutMs: 120_000,
    maxResponseBytes: TRANSFER_LIMIT,
  });
}

function build() {
  switch (scenario()) {
    case 'gateway':
    case 'gateway-fetch': {
      // gateway-fetch (diagnostic): the same with every attempt sent through Node's global
      // fetch (the client's `fetch` option), the client's transport before issue 18 §5.
      const service = createService({ name, version });
      const upstream = httpClient({
        baseUrl: upstreamUrl(),
        name: 'orders',
        ...(scenario() === 'gateway-fetch'
          ? { fetch: (request) => globalThis.fetch(request) }
          : {}),
      });
      service.all(
        '/api/*',
        jwtAuth({
          jwks: [publicJwk('ES256') as never],
          algorithms: ['ES256'],
          issuer: ISSUER,
          audience: AUDIENCE,
        }),
        rateLimit({
          limit: ADMIT_ALL.points,
          windowMs: ADMIT_ALL.durationS * 1000,
          key: 'principal',
        }),
        proxy(upstream, { stripPrefix: '/api' }),
      );
      return service;
    }
    case 'transfer': {
      samplePeakRss();
      const service = createService({
        name,
        version,
        bodyLimit: TRANSFER_LIMIT,
        deadline: { defaultMs: 120_000 },
      });
      const upstream = transferClient();
      service.all(
        '/big/*',
        proxy(upstream, { stripPrefix: '/big', maxRequestBytes: TRANSFER_LIMIT }),
      );
      return service;
    }
    default:
      throw new Error(`gateway-milkyway: unknown scenario ${scenario()}`);
  }
}

if (scenario() === 'transfer' && process.env.BENCH_TRANSFER_APP === 'hono') {
  // Diagnostic: the same proxy in a bare Hono app on @hono/node-server (no createService).
  samplePeakRss();
  const upstream = transferClient();
  const app = new Hono();
  app.all('/big/*', proxy(upstream, { stripPrefix: '/big', maxRequestBytes: TRANSFER_LIMIT }));
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
    announce(server as never),
  );
} else {
  const service = build();
  const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
  announce(port, () => service.close());
}
