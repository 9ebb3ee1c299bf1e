/**
 * identity — DEMO ONLY. Signs short-lived ES256 access tokens for hard-coded demo users and
 * serves its public keys at /.well-known/jwks.json, so the storefront runs without an external
 * identity provider. A real system uses its IdP here; the other services only need a JWKS URL,
 * an issuer and an audience.
 *
 *   npm start            # metrics: METRICS_PORT, else IDENTITY_METRICS_PORT, else 9401 (loopback)
 *   npm start            # PORT, else IDENTITY_PORT, else 4001
 */
import { generateKeyPairSync } from 'node:crypto';
import { createTokenIssuer, type TokenIssuer } from '@milkyway/auth';
import { HttpError, rateLimit } from '@milkyway/core';
import { asyncApiDocument, asyncApiHandler } from '@milkyway/events';
import { z } from 'zod';
import {
  createStorefrontService,
  env,
  listen,
  metricsPortFrom,
  portFrom,
  VERSION,
} from '../../shared/src/service-kit.js';
import { DEMO_USERS } from './users.js';

const port = portFrom('IDENTITY_PORT', 4001);
const issuerName = env('TOKEN_ISSUER', `http://127.0.0.1:${port}`);
const AUDIENCE = 'storefront';
const TTL_SECONDS = 15 * 60;

// A fresh key pair per process (demo): tokens do not survive an identity restart's key
// rotation, which is what short-lived tokens are for. Verifiers pick the new key up from the
// JWKS by its kid.
const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const issuerAt = (clock: () => number) =>
  createTokenIssuer({
    issuer: issuerName,
    privateKey,
    algorithm: 'ES256',
    ttlSeconds: TTL_SECONDS,
    clock,
  });
const issuer = issuerAt(Date.now);

const kit = createStorefrontService(
  'identity',
  'DEMO ONLY: issues short-lived ES256 tokens for demo users and serves the JWKS.',
);
const { service, logger } = kit;

const TokenRequest = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(128),
    /** Narrow the token to some of the user's scopes. */
    scope: z.string().max(512).optional(),
    /**
     * DEMO ONLY, for testing clients: the lifetime in seconds; a negative value gives a token
     * that has already expired (that many seconds ago).
     */
    expiresInSeconds: z.number().int().min(-3600).max(3600).optional(),
  })
  .strict();

/** A JWK Set (RFC 7517 §5): public keys only, each with its type and key id. */
const JwkSet = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })),
});

const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  scope: z.string(),
});

service.post(
  '/token',
  {
    body: TokenRequest,
    responses: {
      200: TokenResponse,
      400: {
        description:
          'Invalid request, or `error: "invalid_grant"` (RFC 6749 §5.2): unknown user or wrong password',
      },
    },
    summary: 'Sign in a demo user (DEMO ONLY: passwords are the user names)',
    tags: ['tokens'],
  },
  // Password guessing is slow: 60 sign-ins a minute per client address.
  rateLimit({ name: 'sign-in', key: 'ip', limit: 60, windowMs: 60_000 }),
  async (c) => {
    const request = c.req.valid('json');
    const user = DEMO_USERS.find((u) => u.username === request.username);
    if (!user || user.password !== request.password) {
      // A token endpoint answers bad credentials with 400 invalid_grant (RFC 6749 §5.2), not
      // with 401 + WWW-Authenticate: Basic (that would invite a browser's password prompt).
      throw new HttpError(400, 'unknown user or wrong password', {
        headers: { 'cache-control': 'no-store' },
        extensions: { error: 'invalid_grant', error_description: 'unknown user or wrong password' },
      });
    }
    const wanted = request.scope?.split(' ').filter(Boolean);
    const scopes = wanted ? user.scopes.filter((s) => wanted.includes(s)) : user.scopes;
    let signer: TokenIssuer = issuer;
    let ttl = request.expiresInSeconds ?? TTL_SECONDS;
    if (ttl <= 0) {
      // An already-expired token: issued 60 s + |ttl| ago, valid for 60 s.
      const shiftMs = (ttl - 60) * 1000;
      signer = issuerAt(() => Date.now() + shiftMs);
      ttl = 60;
    }
    const { token } = await signer.issue({
      audience: AUDIENCE,
      subject: user.username,
      scopes,
      ttlSeconds: ttl,
      claims: { roles: user.roles },
    });
    logger.info({ user: user.username, scopes }, 'token issued');
    return c.json(
      {
        access_token: token,
        token_type: 'Bearer' as const,
        expires_in: request.expiresInSeconds ?? TTL_SECONDS,
        scope: scopes.join(' '),
      },
      200,
    );
  },
);

service.get(
  '/.well-known/jwks.json',
  {
    responses: { 200: JwkSet },
    summary: 'The public keys that verify our tokens',
    tags: ['tokens'],
  },
  async (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    // Parsed with its own schema: every key has its `kty` (optional in the JWK type).
    return c.json(JwkSet.parse(await issuer.publicJwks()), 200);
  },
);

// identity publishes and consumes no events: its AsyncAPI document says so (no channels), so
// that every service of the storefront serves one beside its OpenAPI document.
service.get(
  '/asyncapi.json',
  { hidden: true },
  asyncApiHandler(
    asyncApiDocument({
      title: 'identity',
      version: VERSION,
      description: 'DEMO ONLY token issuer: it publishes and consumes no events.',
    }),
  ),
);

await listen(kit, port, metricsPortFrom('IDENTITY_METRICS_PORT', 9401));
