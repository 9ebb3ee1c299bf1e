/**
 * The one place where core relies on parts of Hono that are not its public API. Each function
 * names the internal it depends on; `test/hono-bridge.test.ts` checks every one of them against
 * the oldest and the newest Hono of core's peer range (`npm run test:hono-range`), so a Hono
 * release that changes one fails there, not silently in production.
 * @internal
 */
import type { Context, Hono } from 'hono';
import type { RouterRoute } from 'hono/types';

type Fn = (...args: never[]) => unknown;

/**
 * Hono assigns `get`/`post`/…/`use` as own properties of each instance in its constructor, so a
 * subclass' prototype methods of the same name are hidden. Removes those own properties (the
 * subclass' real methods then apply) and returns Hono's functions, bound to the instance, for
 * the subclass to delegate to.
 * @internal
 */
export function detachInstanceMethods<const N extends string>(
  app: object,
  names: readonly N[],
): Record<N, Fn> {
  const own = app as Record<string, unknown>;
  const out = {} as Record<N, Fn>;
  for (const name of names) {
    const fn = own[name];
    if (typeof fn !== 'function' || !Object.hasOwn(own, name)) {
      throw new TypeError(`hono-bridge: Hono no longer defines "${name}" per instance`);
    }
    out[name] = fn as Fn;
    delete own[name];
  }
  return out;
}

/** The base path of an app (`app.basePath('/v1')`): Hono keeps it in the TS-private `_basePath`. @internal */
export function basePathOf(app: object): string {
  return (app as { _basePath?: string })._basePath ?? '/';
}

/**
 * The app's current error handler (what `onError` set): Hono keeps it in the TS-private
 * `errorHandler`, which is what its `compose` calls with an `Error`.
 * @internal
 */
export function errorHandlerOf(
  app: object,
): (error: Error, c: Context) => Response | Promise<Response> {
  return (app as { errorHandler: (error: Error, c: Context) => Response | Promise<Response> })
    .errorHandler;
}

/**
 * Makes every not-found handler set on `app` (now and later, through `app.notFound`) pass
 * through `wrap` first. Hono's `notFound` is an own arrow function of each instance.
 * @internal
 */
export function wrapNotFound<H extends Fn>(app: object, wrap: (handler: H) => H): void {
  const plain = (app as Hono).notFound as unknown as (handler: H) => unknown;
  (app as { notFound: unknown }).notFound = (handler: H) => {
    plain(wrap(handler));
    return app;
  };
}

/**
 * Points the route record `app.routes` shows (Hono hands the same object to the router's `add`)
 * at the wrapped handler, so that a mounted sub-app copies the wrapped one.
 * @internal
 */
export function setRouteHandler(route: RouterRoute, handler: Fn): void {
  (route as { handler: unknown }).handler = handler;
}

type VarGetter = (this: Context) => Record<string, unknown>;
type VarWrapper = (c: Context, vars: Record<string, unknown>) => Record<string, unknown>;

/**
 * On a `Context.prototype` whose `var` getter was wrapped: Hono's own getter and the wrappers.
 * A registered symbol, so that two copies of core in one process (two versions installed side
 * by side) share one wrapped getter and each finds its own contexts.
 */
const kHonoVar: unique symbol = Symbol.for('milkyway.honoVar') as never;
type Wrapped = { get: VarGetter; wraps: VarWrapper[] };
type ContextPrototype = { [kHonoVar]?: Wrapped };

/**
 * Hono's own `var` getter of `Context.prototype` (read from the first context seen: `Context` is
 * not a runtime export of `hono` before 4.10), or `null` if Hono no longer defines it there.
 */
function honoVarOf(c: Context): VarGetter | null {
  const proto = Object.getPrototypeOf(c) as ContextPrototype;
  const wrapped = proto[kHonoVar];
  if (wrapped !== undefined) return wrapped.get;
  const getter = Object.getOwnPropertyDescriptor(proto, 'var')?.get;
  return (getter as VarGetter | undefined) ?? null;
}

/**
 * The variables of a context as Hono's own `c.var` getter returns them (the same object every
 * time), or `undefined` when Hono changed shape.
 * @internal
 */
export function honoContextVars(c: Context): Record<string, unknown> | undefined {
  return honoVarOf(c)?.call(c);
}

/**
 * Makes `c.var` return `wrap(c, vars)`, `vars` being what Hono's own getter returns. Hono
 * defines `var` as a getter on `Context.prototype`: it is replaced there, once per Hono copy
 * (the first call with a given `Context` class), which costs nothing per request — defining an
 * accessor on each context cost ~0.6 µs a request and gave every context its own hidden class.
 * `wrap` must hand back `vars` for the contexts it does not know (those of any other Hono app in
 * the process), so that they read exactly what Hono gives. Each distinct `wrap` is added once;
 * several (one per copy of core) are applied in turn. Returns `false`, changing nothing, when
 * Hono's shape is not the expected one (the caller then falls back to eager values).
 * @internal
 */
export function wrapContextVar(c: Context, wrap: VarWrapper): boolean {
  const proto = Object.getPrototypeOf(c) as ContextPrototype;
  const existing = proto[kHonoVar];
  if (existing !== undefined) {
    if (!existing.wraps.includes(wrap)) existing.wraps.push(wrap);
    return true;
  }
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'var');
  const honoVar = descriptor?.get as VarGetter | undefined;
  if (honoVar === undefined || !descriptor?.configurable) return false;
  const wrapped: Wrapped = { get: honoVar, wraps: [wrap] };
  const wraps = wrapped.wraps;
  Object.defineProperty(proto, kHonoVar, { value: wrapped });
  Object.defineProperty(proto, 'var', {
    configurable: true,
    enumerable: descriptor.enumerable ?? false,
    get(this: Context) {
      let vars = honoVar.call(this);
      for (let i = 0; i < wraps.length; i++) vars = (wraps[i] as VarWrapper)(this, vars);
      return vars;
    },
  });
  return true;
}

/**
 * Shadows a context's `get` (an own arrow function of each Hono context) with the given one.
 * Returns `false`, changing nothing, when Hono's shape is not the expected one.
 * @internal
 */
export function shadowContextGet(c: Context, get: (key: string) => unknown): boolean {
  if (!Object.hasOwn(c, 'get')) return false;
  (c as { get: unknown }).get = get;
  return true;
}
