// §8 gateway, Fastify 5: @fastify/jwt (ES256, verify on every request: @fastify/jwt has no
// verified-token cache by default), @fastify/rate-limit (memory store, keyed by `sub`, admits
// everything), @fastify/http-proxy (undici pool) to the one upstream.
// Scenario 'transfer': the proxy alone with 256 MiB limits, for the 100 MB upload/download.
import fastifyHttpProxy from '@fastify/http-proxy';
import Fastify from 'fastify';
import { samplePeakRss, TRANSFER_LIMIT, upstreamUrl } from '../gateway/peak.js';
import { announce, scenario } from './announce.js';
import { registerJwtAndRateLimit } from './fastify-stack.js';

const app = Fastify({ logger: false, bodyLimit: TRANSFER_LIMIT });

switch (scenario()) {
  case 'gateway': {
    await registerJwtAndRateLimit(app);
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
