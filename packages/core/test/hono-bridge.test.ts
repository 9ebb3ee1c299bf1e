import { type Context, Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  basePathOf,
  detachInstanceMethods,
  errorHandlerOf,
  honoContextVars,
  setRouteHandler,
  shadowContextGet,
  wrapContextVar,
  wrapNotFound,
} from '../src/kernel/hono-bridge.js';
import { KernelRouter } from '../src/kernel/kernel-router.js';

// These tests pin every non-public part of Hono that core relies on. They run against the
// newest Hono installed and, through `npm run test:hono-range`, against the oldest one of
// core's peer range (hono-oldest, aliased as `hono`).

describe('the Hono bridge', () => {
  it('detaches the route methods Hono defines on each instance', async () => {
    const app = new Hono();
    const hono = detachInstanceMethods(app, ['get', 'use']);
    expect(Object.hasOwn(app, 'get')).toBe(false);
    expect(Object.hasOwn(app, 'use')).toBe(false);
    (hono.use as (...a: unknown[]) => unknown)(async (c: Context, next: () => Promise<void>) => {
      await next();
      c.res.headers.set('x-used', 'yes');
    });
    (hono.get as (...a: unknown[]) => unknown)('/a', (c: Context) => c.text('a'));
    const res = await app.request('/a');
    expect(await res.text()).toBe('a');
    expect(res.headers.get('x-used')).toBe('yes');
  });

  it('refuses to detach a method Hono does not define per instance', () => {
    expect(() => detachInstanceMethods(new Hono(), ['route'])).toThrow(/per instance/);
  });

  it('reads the base path of an app', () => {
    expect(basePathOf(new Hono())).toBe('/');
    expect(basePathOf(new Hono().basePath('/v1'))).toBe('/v1');
  });

  it('reads the error handler onError set', async () => {
    const app = new Hono();
    const handler = (_error: Error, c: Context) => c.text('handled', 418);
    app.onError(handler);
    expect(errorHandlerOf(app)).toBe(handler);
  });

  it('wraps every not-found handler set later', async () => {
    const app = new Hono();
    const seen: string[] = [];
    wrapNotFound(app, (handler: (c: Context) => Response) => (c: Context) => {
      seen.push('wrapped');
      return handler(c);
    });
    app.notFound((c) => c.text('nothing here', 404));
    const res = await app.request('/missing');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('nothing here');
    expect(seen).toEqual(['wrapped']);
  });

  it('gives the router (public `router` option) the route record that app.routes shows', async () => {
    const slot = { kernel: undefined };
    const app = new Hono({ router: new KernelRouter(slot) });
    const original = (c: Context) => c.text('original');
    app.get('/r', original);
    const [route] = app.routes;
    expect(route?.handler).not.toBe(original);
    // and setRouteHandler changes what a mounting app copies
    const replacement = (c: Context) => c.text('replacement');
    setRouteHandler(route as never, replacement);
    const parent = new Hono().route('/p', app);
    expect(await (await parent.request('/p/r')).text()).toBe('replacement');
  });

  it('shadows a context get, and reads the variables Hono keeps', async () => {
    const app = new Hono();
    let read: unknown;
    let kept: unknown;
    let own: Record<string, unknown> | undefined;
    app.get('/v', (c) => {
      c.set('kept' as never, 'k' as never);
      own = honoContextVars(c);
      const plainGet = c.get as (key: string) => unknown;
      const shadowed = shadowContextGet(c, (key) =>
        key === 'lazy' ? 'made on read' : plainGet(key),
      );
      expect(shadowed).toBe(true);
      read = c.get('lazy' as never);
      kept = c.get('kept' as never);
      return c.text('ok');
    });
    expect((await app.request('/v')).status).toBe(200);
    expect(own).toEqual({ kept: 'k' });
    expect(read).toBe('made on read');
    expect(kept).toBe('k');
  });

  it("wraps Hono's c.var getter once per Context class, leaving other contexts' c.var as Hono makes it", async () => {
    const mine = new WeakSet<object>();
    const theirs = new WeakSet<object>();
    // Two wrappers, as two copies of core in one process would install: each for its contexts.
    const wrap = (c: Context, vars: Record<string, unknown>) =>
      mine.has(c) ? { ...vars, lazy: 'made on read' } : vars;
    const other = (c: Context, vars: Record<string, unknown>) =>
      theirs.has(c) ? { ...vars, other: 'copy' } : vars;
    const app = new Hono();
    const seen: Record<string, unknown>[] = [];
    let honoOwn: Record<string, unknown> | undefined;
    app.get('/v/:mark', (c) => {
      c.set('kept' as never, 'k' as never);
      expect(wrapContextVar(c, wrap)).toBe(true);
      expect(wrapContextVar(c, wrap)).toBe(true); // added once
      expect(wrapContextVar(c, other)).toBe(true);
      if (c.req.param('mark') === 'mine') mine.add(c);
      if (c.req.param('mark') === 'theirs') theirs.add(c);
      seen.push({ ...(c.var as Record<string, unknown>) });
      honoOwn = honoContextVars(c);
      return c.text('ok');
    });
    await app.request('/v/mine');
    await app.request('/v/theirs');
    await app.request('/v/none');
    expect(seen).toEqual([
      { kept: 'k', lazy: 'made on read' },
      { kept: 'k', other: 'copy' },
      { kept: 'k' },
    ]);
    expect(honoOwn).toEqual({ kept: 'k' });
  });
});
