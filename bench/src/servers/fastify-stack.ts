// The Fastify peer's auth and limit stack, one definition for every Fastify server in the bench
// (§2 realistic route, §8 gateway), so each comparison runs exactly the same plugins.
import fastifyJwt from '@fastify/jwt';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ADMIT_ALL, AUDIENCE, ISSUER, publicPem } from './fixtures.js';

/** @fastify/jwt verifying `alg` tokens of the bench issuer and audience (no token cache). */
export async function registerJwt(app: FastifyInstance, alg: 'ES256' | 'RS256'): Promise<void> {
  await app.register(fastifyJwt, {
    secret: { public: publicPem(alg), private: 'unused: this server only verifies' },
    verify: { algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE },
  });
}

/**
 * Every request: an ES256 token verified on request, then @fastify/rate-limit (memory store,
 * keyed by the token's `sub`, admitting everything) before the handler.
 */
export async function registerJwtAndRateLimit(app: FastifyInstance): Promise<void> {
  await registerJwt(app, 'ES256');
  app.addHook('onRequest', async (req) => {
    await req.jwtVerify();
  });
  await app.register(fastifyRateLimit, {
    max: ADMIT_ALL.points,
    timeWindow: ADMIT_ALL.durationS * 1000,
    hook: 'preHandler',
    keyGenerator: (req) => (req.user as { sub?: string } | undefined)?.sub ?? req.ip,
  });
}
