import { OPENAPI_META } from '@milkyway/protocol';
import { Hono } from 'hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  authorize,
  createVerifier,
  jwtAuth,
  type Principal,
  requireRoles,
  requireScopes,
} from '../src/index.js';
import { AUDIENCE, app, bearer, claims, ISSUER, sign, testClock, testKey } from './helpers.js';

const key = await testKey('ES256');
const options = {
  jwks: { keys: [key.jwk] },
  algorithms: ['ES256'] as const,
  issuer: ISSUER,
  audience: AUDIENCE,
  clock: testClock(),
};
const auth = jwtAuth({ ...options, algorithms: ['ES256'] });

describe('jwtAuth', () => {
  it('puts the principal on c.var.principal', async () => {
    const res = await app(auth).request('/', bearer(await sign(key)));
    expect(res.status).toBe(200);
    expect((await res.json()).principal).toMatchObject({
      subject: 'user-1',
      scopes: ['catalog:read'],
      type: 'jwt',
    });
  });

  it('answers 401 with a bare Bearer challenge when no credentials are sent', async () => {
    const res = await app(auth).request('/');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('treats another scheme as no credentials', async () => {
    const res = await app(auth).request('/', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 401 invalid_token without saying why', async () => {
    const res = await app(auth).request('/', bearer(await sign(key, claims({ aud: 'other' }))));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const text = await res.text();
    expect(text).not.toMatch(/aud|audience|expired|signature/i);
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a,b'])(
    'refuses the malformed header %j',
    async (value) => {
      const res = await app(auth).request('/', { headers: { authorization: value } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    },
  );

  it('refuses an oversized Authorization header before parsing it', async () => {
    const res = await app(auth).request('/', bearer('a'.repeat(20_000)));
    expect(res.status).toBe(401);
  });

  it('accepts a shared verifier', async () => {
    const verifier = createVerifier({ ...options, algorithms: ['ES256'] });
    const res = await app(jwtAuth({ verifier })).request('/', bearer(await sign(key)));
    expect(res.status).toBe(200);
  });

  it('types the principal from a zod claims schema', () => {
    const typed = jwtAuth({
      ...options,
      algorithms: ['ES256'],
      claims: z.object({ tenant: z.string() }),
    });
    const hono = new Hono().get('/', typed, (c) => {
      expectTypeOf(c.var.principal).toEqualTypeOf<Principal<{ tenant: string }>>();
      return c.text(c.var.principal.claims.tenant);
    });
    expect(hono).toBeDefined();
  });

  it('declares a bearer security scheme for OpenAPI', () => {
    expect(auth[OPENAPI_META]).toMatchObject({
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      security: [{ bearerAuth: [] }],
    });
  });
});

describe('guards', () => {
  const guarded = () => {
    const hono = app(auth);
    hono.get('/read', requireScopes('catalog:read'), (c) => c.text('ok'));
    hono.get('/write', requireScopes('catalog:read', 'catalog:write'), (c) => c.text('ok'));
    hono.use('/admin/*', requireRoles('admin'));
    hono.get('/admin/panel', (c) => c.text('ok'));
    hono.get(
      '/users/:id',
      authorize((p, c) => p.subject === c.req.param('id')),
      (c) => c.text('ok'),
    );
    hono.get(
      '/async',
      authorize(async (p) => p.roles.includes('auditor')),
      (c) => c.text('ok'),
    );
    return hono;
  };

  it('lets a token with the scope through', async () => {
    expect((await guarded().request('/read', bearer(await sign(key)))).status).toBe(200);
  });

  it('answers 403 insufficient_scope naming the required scopes', async () => {
    const res = await guarded().request('/write', bearer(await sign(key)));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="catalog:read catalog:write"',
    );
  });

  it('reads scopes from an scp array', async () => {
    const token = await sign(
      key,
      claims({ scope: undefined, scp: ['catalog:read', 'catalog:write'] }),
    );
    expect((await guarded().request('/write', bearer(token))).status).toBe(200);
  });

  it('guards a group of routes by role', async () => {
    expect((await guarded().request('/admin/panel', bearer(await sign(key)))).status).toBe(403);
    const admin = await sign(key, claims({ roles: ['admin'] }));
    expect((await guarded().request('/admin/panel', bearer(admin))).status).toBe(200);
  });

  it('requires every role with { all: true }', async () => {
    const hono = app(auth);
    hono.get('/x', requireRoles('a', 'b', { all: true }), (c) => c.text('ok'));
    expect(
      (await hono.request('/x', bearer(await sign(key, claims({ roles: ['a'] }))))).status,
    ).toBe(403);
    expect(
      (await hono.request('/x', bearer(await sign(key, claims({ roles: ['a', 'b'] }))))).status,
    ).toBe(200);
  });

  it('applies a predicate with access to the context', async () => {
    expect((await guarded().request('/users/user-1', bearer(await sign(key)))).status).toBe(200);
    expect((await guarded().request('/users/user-2', bearer(await sign(key)))).status).toBe(403);
  });

  it('awaits async predicates', async () => {
    expect((await guarded().request('/async', bearer(await sign(key)))).status).toBe(403);
    const auditor = await sign(key, claims({ roles: ['auditor'] }));
    expect((await guarded().request('/async', bearer(auditor))).status).toBe(200);
  });

  it('answers 401, not 500, when a guard runs without authentication', async () => {
    const hono = app();
    hono.get('/x', requireScopes('a'), (c) => c.text('ok'));
    expect((await hono.request('/x')).status).toBe(401);
  });

  it('carries OpenAPI security requirements and responses', () => {
    expect(requireScopes('catalog:read')[OPENAPI_META]).toMatchObject({
      security: [{ bearerAuth: ['catalog:read'] }],
      responses: { 401: expect.any(Object), 403: expect.any(Object) },
    });
    expect(requireRoles('admin')[OPENAPI_META].responses?.[403]).toBeDefined();
    expect(authorize(() => true)[OPENAPI_META].responses?.[403]).toBeDefined();
  });
});
