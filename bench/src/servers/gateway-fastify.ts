// §8 gateway, Fastify 5: @fastify/jwt (ES256, verify on every request: @fastify/jwt has no
// verified-token cache by default), @fastify/rate-limit (memory store, keyed by `sub`, admits
// everything), @fastify/http-proxy (undici pool) to the one upstream.
// Scenario 'transfer': the proxy alone with 256 MiB limits, for the 100 MB upload/download.
import fastifyHttpProxy from '@fastify/http-proxy';
import fastifyJwt from '@fastify/jwt';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import { samplePeakRss, TRANSFER_LIMIT, upstreamUrl } from '../gateway/peak.js';
import { announce, scenario } from './announce.js';
import { ADMIT_ALL, AUDIENCE, ISSUER, publicPem } from './fixtures.js';

const app = Fastify({ logger: false, bodyLimit: TRANSFER_LIMIT });

switch (scenario()) {
  case 'gateway': {
    await app.register(fastifyJwt, {
      secret: { public: publicPem('ES256'), private: 'unused: this server only verifies' },
      verify: { algorithms: ['ES256'], allowedIss: ISSUER, allowedAud: AUDIENCE },
    });
    app.addHook('onRequest', async (req) => {
      await req.jwtVerify();
    });
    await app.register(fastifyRateLimit, {
      max: ADMIT_ALL.points,
      timeWindow: ADMIT_ALL.durationS * 1000,
      hook: 'preHandler',
      keyGenerator: (req) => (req.user as { sub?: string } | undefined)?.sub ?? req.ip,
    });
    await app.register(fastifyHttpProxy, { upstream: upstreamUrl(), prefix: '/api' });
    break;
  }
  case 'transfer': {
    samplePeakRss();
    await app.register(fastifyHttpProxy, { upstream: upstreamUrl(), prefix: '/big' });
    break;
  }
  default:
    throw new Error(`gateway-fastify: unknown scenario ${scenario()}`);
}

await app.listen({ port: 0, host: '127.0.0.1' });
announce(app.server);
