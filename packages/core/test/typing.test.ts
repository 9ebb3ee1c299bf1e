import type { PrincipalVariables } from '@milkyway/protocol';
import { createMiddleware } from 'hono/factory';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createRouter, createService, silentLogger } from '../src/index.js';

// Type-level tests: `tsc` (npm run typecheck) checks the `expectTypeOf` and `@ts-expect-error`
// lines; the runtime assertions check the same routes answer.

type Principal = { subject: string };
/** A stand-in for an auth guard: its env declares the protocol's PrincipalVariables. */
const auth = createMiddleware<{ Variables: PrincipalVariables<Principal> }>(async (c, next) => {
  c.set('principal', { subject: c.req.header('x-user') ?? 'anonymous' });
  await next();
});

const quiet = () => createService({ name: 'typing', version: '0.0.0', logger: silentLogger });

describe('a typed chain', () => {
  it('stays a Service after a route without a spec', async () => {
    const service = quiet()
      .get('/plain', (c) => c.text('plain'))
      .get('/typed', { responses: { 200: z.object({ ok: z.boolean() }) } }, (c) =>
        c.json({ ok: true }, 200),
      )
      .post('/plain-with-middleware', auth, (c) => c.text(c.var.principal.subject));
    expectTypeOf(service.listen).toBeFunction();
    expect(await (await service.request('/plain')).text()).toBe('plain');
    expect(await (await service.request('/typed')).json()).toEqual({ ok: true });
  });

  it('stays a Router after a route without a spec', () => {
    const router = createRouter()
      .get('/plain', (c) => c.text('plain'))
      .get('/typed', { params: z.object({ id: z.string() }) }, (c) => c.text('typed'));
    expectTypeOf(router.route).toBeFunction();
    expectTypeOf(router.use).toBeFunction();
  });
});

describe('the principal', () => {
  it('is typed on a route whose own guard sets it, and only there', async () => {
    const service = quiet()
      .get('/me', auth, (c) => c.text(c.var.principal.subject))
      .get('/typed-me', { responses: { 200: z.object({ who: z.string() }) } }, auth, (c) =>
        c.json({ who: c.var.principal.subject }, 200),
      )
      .get('/public', (c) => {
        // @ts-expect-error no auth middleware ran on this route: no principal in its type
        const principal = c.var.principal;
        return c.json({ principal: principal ?? null });
      });
    const me = await service.request('/me', { headers: { 'x-user': 'ada' } });
    expect(await me.text()).toBe('ada');
    expect(await (await service.request('/public')).json()).toEqual({ principal: null });
  });

  it('is typed on every later route after use(auth) on all routes', () => {
    quiet()
      .use(auth)
      .get('/me', (c) => c.text(c.var.principal.subject));
  });

  it('is not typed after use on a path pattern (it does not run for every route)', async () => {
    const service = quiet()
      .use('/api/*', auth)
      .get('/public', (c) => {
        // @ts-expect-error `/api/*` middleware does not run here
        const principal = c.var.principal;
        return c.json({ principal: principal ?? null });
      });
    expect(await (await service.request('/public')).json()).toEqual({ principal: null });
  });

  it('is typed in a router whose own use(auth) covers its routes', async () => {
    const admin = createRouter()
      .use(auth)
      .get('/stats', (c) => c.text(c.var.principal.subject));
    const service = quiet().route('/admin', admin);
    const res = await service.request('/admin/stats', { headers: { 'x-user': 'grace' } });
    expect(await res.text()).toBe('grace');
  });
});
