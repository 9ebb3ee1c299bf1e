// §8 gateway, Hono by hand: hono/jwk (ES256, inline key, verifies every request), a
// rate-limiter-flexible memory limiter keyed by `sub` (admits everything), then hono/proxy
// (global fetch, undici) to the one upstream, on @hono/node-server.
// Scenario 'transfer': hono/proxy alone, for the 100 MB upload/download.
import { serve } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { jwk } from 'hono/jwk';
import { proxy } from 'hono/proxy';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { samplePeakRss, upstreamUrl } from '../gateway/peak.js';
import { announce, scenario } from './announce.js';
import { ADMIT_ALL, AUDIENCE, ISSUER, publicJwk } from './fixtures.js';

const app = new Hono<{ Variables: { jwtPayload: { sub?: string } } }>();
const upstream = upstreamUrl();

/** Forwards the request (method, headers, streamed body) to the upstream, minus `prefix`. */
const forward =
  (prefix: string): MiddlewareHandler =>
  (c) => {
    const url = new URL(c.req.url);
    return proxy(`${upstream}${url.pathname.slice(prefix.length) || '/'}${url.search}`, {
      ...c.req,
      headers: { ...c.req.header(), host: undefined },
    });
  };

switch (scenario()) {
  case 'gateway': {
    const limiter = new RateLimiterMemory({
      points: ADMIT_ALL.points,
      duration: ADMIT_ALL.durationS,
    });
    const rateLimit: MiddlewareHandler<{ Variables: { jwtPayload: { sub?: string } } }> = async (
      c,
      next,
    ) => {
      try {
        await limiter.consume(c.get('jwtPayload')?.sub ?? 'anonymous');
      } catch {
        return c.json({ title: 'Too Many Requests', status: 429 }, 429);
      }
      await next();
    };
    app.all(
      '/api/*',
      jwk({
        keys: [publicJwk('ES256') as never],
        alg: ['ES256'],
        verification: { iss: ISSUER, aud: AUDIENCE },
      }),
      rateLimit,
      forward('/api'),
    );
    break;
  }
  case 'transfer': {
    samplePeakRss();
    app.all('/big/*', forward('/big'));
    break;
  }
  default:
    throw new Error(`gateway-hono: unknown scenario ${scenario()}`);
}

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => announce(server));
