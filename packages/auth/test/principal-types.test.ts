// Type-level tests (checked by `tsc`, run as ordinary tests by vitest): `c.var.principal` is
// typed where jwtAuth, apiKeyAuth or a guard runs, and only there (issue 14 §7).
import { createService, silentLogger } from '@milkyway/core';
import { Hono } from 'hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  apiKeyAuth,
  authorize,
  jwtAuth,
  type Principal,
  requireRoles,
  requireScopes,
} from '../src/index.js';
import { AUDIENCE, ISSUER, testKey } from './helpers.js';

const key = await testKey('ES256');
const options = {
  jwks: { keys: [key.jwk] },
  algorithms: ['ES256'] as const,
  issuer: ISSUER,
  audience: AUDIENCE,
};

/** A Hono app answering a thrown problem's status, as core does. */
function hono(): Hono {
  const app = new Hono();
  app.onError((error, c) => c.text('', (error as { status?: 401 }).status ?? 500));
  return app;
}

describe('principal typing on Hono routes', () => {
  it('types c.var.principal after jwtAuth on a route, and not on a public route', async () => {
    const app = hono();
    app.get('/public', (c) => {
      // @ts-expect-error no authentication ran here, so the principal is not typed
      const missing = c.var.principal;
      return c.json({ missing: missing ?? null });
    });
    app.get('/me', jwtAuth(options), (c) => {
      expectTypeOf(c.var.principal).toEqualTypeOf<Principal>();
      return c.text(c.var.principal.subject);
    });
    expect(await (await app.request('/public')).json()).toEqual({ missing: null });
    expect((await app.request('/me')).status).toBe(401);
  });

  it('types c.var.principal after each guard and after apiKeyAuth', async () => {
    const app = hono();
    app.get('/scoped', requireScopes('a'), (c) => {
      expectTypeOf(c.var.principal.scopes).toEqualTypeOf<readonly string[]>();
      return c.text('ok');
    });
    app.get('/roles', requireRoles('admin'), (c) => {
      expectTypeOf(c.var.principal.roles).toEqualTypeOf<readonly string[]>();
      return c.text('ok');
    });
    app.get(
      '/rule',
      authorize(() => true),
      (c) => {
        expectTypeOf(c.var.principal.subject).toEqualTypeOf<string>();
        return c.text('ok');
      },
    );
    app.get('/partner', apiKeyAuth({ lookup: () => null }), (c) => {
      expectTypeOf(c.var.principal.type).toEqualTypeOf<'jwt' | 'apiKey'>();
      return c.text('ok');
    });
    for (const path of ['/scoped', '/roles', '/rule', '/partner']) {
      expect((await app.request(path)).status, path).toBe(401);
    }
  });

  it('types the claims parsed by a schema', async () => {
    const Claims = z.object({ sub: z.string(), tenant: z.string() });
    const app = hono();
    app.get('/tenant', jwtAuth({ ...options, claims: Claims }), (c) => {
      expectTypeOf(c.var.principal.claims.tenant).toEqualTypeOf<string>();
      return c.text(c.var.principal.claims.tenant);
    });
    expect((await app.request('/tenant')).status).toBe(401);
  });
});

describe('principal typing on typed core routes', () => {
  it('types c.var.principal after a guard on a typed route, and not on a public one', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    service.get('/open', { responses: { 200: z.object({ ok: z.boolean() }) } }, (c) => {
      // @ts-expect-error no authentication ran here, so the principal is not typed
      c.var.principal;
      return c.json({ ok: true }, 200);
    });
    service.get(
      '/me',
      { responses: { 200: z.object({ subject: z.string() }) } },
      jwtAuth(options),
      requireScopes('me:read'),
      (c) => {
        expectTypeOf(c.var.principal).toMatchTypeOf<Principal>();
        return c.json({ subject: c.var.principal.subject }, 200);
      },
    );
    expect((await service.request('/open')).status).toBe(200);
    expect((await service.request('/me')).status).toBe(401);
  });
});
