import type { TypedResponse } from 'hono';
import type {
  BlankInput,
  Env,
  Handler,
  HandlerResponse,
  IntersectNonAnyTypes,
  MergePath,
  MiddlewareHandler,
  Schema,
  ToSchema,
} from 'hono/types';
// Type-only, on purpose: the chain's return types name the classes; nothing runs here.
import type { Service } from '../service.js';
import type { RouteHandler, RouteInput, RouteOutput, RouteSpec } from './route.js';
import type { Router } from './router.js';

/**
 * The classes typed methods return, by kind, so that a chain keeps its class. Named here with
 * type-only imports (a module augmentation from router.ts and service.ts would be lost when the
 * declarations are bundled, leaving published chains typed `unknown`).
 * @internal
 */
export interface KindMap<E extends Env, S extends Schema, BasePath extends string> {
  router: Router<E, S, BasePath>;
  service: Service<E, S, BasePath>;
}

/** A kind name (`router`, `service`). @internal */
export type Kind = keyof KindMap<Env, Schema, string>;

/** The class of kind `K` with the given Hono generics. @internal */
export type Self<
  K extends Kind,
  E extends Env,
  S extends Schema,
  BasePath extends string,
> = KindMap<E, S, BasePath>[K];

/** The Hono `Env` each middleware of a tuple declares (what it adds to `c.var`), in order. @internal */
export type EnvsOf<Mw extends unknown[]> = {
  // biome-ignore lint/suspicious/noExplicitAny: only the env is read
  [I in keyof Mw]: Mw[I] extends MiddlewareHandler<infer X, any, any> ? X : {};
};

/** What a spec-less handler contributes to the app's schema (what `hc` sees). @internal */
type PlainOutput<Ret> = Awaited<Ret> extends TypedResponse ? Awaited<Ret> : TypedResponse;

/**
 * A route method of a router or service: `(path, spec, ...middleware, handler)` for a typed
 * route — inputs inferred from the spec's schemas, the return value checked against
 * `responses` — or `(path, ...middleware, handler)` for a plain Hono route. Either way the
 * chain keeps its type, and the handler sees what its route middleware declare on `c.var`
 * (e.g. `principal` after an auth guard).
 *
 * @example
 * ```ts
 * import { createRouter } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const router = createRouter()
 *   .get('/items/:id', { params: z.object({ id: z.string() }) }, (c) => c.text(c.req.valid('param').id))
 *   .get('/plain', (c) => c.text('no spec'))
 *   .post('/items', { body: z.object({ name: z.string() }) }, (c) => c.json(c.req.valid('json'), 201));
 * ```
 */
export interface TypedRouteMethod<
  E extends Env,
  M extends string,
  S extends Schema,
  BasePath extends string,
  K extends Kind,
> {
  <
    P extends string,
    const R extends RouteSpec,
    Ret extends HandlerResponse<unknown> = HandlerResponse<unknown>,
    // biome-ignore lint/suspicious/noExplicitAny: any Hono middleware plugs into a typed route
    const Mw extends MiddlewareHandler<any, any, any>[] = [],
  >(
    path: P,
    spec: R,
    ...handlers: [
      ...Mw,
      RouteHandler<IntersectNonAnyTypes<[E, ...EnvsOf<Mw>]>, MergePath<BasePath, P>, R, Ret>,
    ]
  ): Self<
    K,
    E,
    S & ToSchema<M, MergePath<BasePath, P>, RouteInput<R>, Awaited<RouteOutput<R, Ret>>>,
    BasePath
  >;
  <
    P extends string,
    // biome-ignore lint/suspicious/noExplicitAny: like Hono, any handler result
    Ret extends HandlerResponse<any> = any,
    // biome-ignore lint/suspicious/noExplicitAny: any Hono middleware plugs into a plain route
    const Mw extends MiddlewareHandler<any, any, any>[] = [],
  >(
    path: P,
    ...handlers: [
      ...Mw,
      Handler<IntersectNonAnyTypes<[E, ...EnvsOf<Mw>]>, MergePath<BasePath, P>, BlankInput, Ret>,
    ]
  ): Self<K, E, S & ToSchema<M, MergePath<BasePath, P>, BlankInput, PlainOutput<Ret>>, BasePath>;
}

/**
 * `use` that keeps the router/service type. Middleware used on every route (no path, or `*`)
 * adds what it declares on `c.var` to the routes after it; middleware on a path pattern
 * (`/admin/*`) does not, because it does not run for every route — declare it on the route
 * (`get(path, spec, guard, handler)`) or `use` it in a router mounted under that path.
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 * import { etag } from 'hono/etag';
 * import { logger } from 'hono/logger';
 *
 * const service = createService({ name: 'api', version: '1.0.0' }).use(logger()).use('/files/*', etag());
 * ```
 */
export interface TypedUse<
  E extends Env,
  S extends Schema,
  BasePath extends string,
  K extends Kind,
> {
  <E2 extends Env = E>(
    ...handlers: MiddlewareHandler<E2, MergePath<BasePath, '*'>>[]
  ): Self<K, IntersectNonAnyTypes<[E, E2]>, S, BasePath>;
  <P extends string, E2 extends Env = E>(
    path: P,
    ...handlers: MiddlewareHandler<E2, MergePath<BasePath, P>>[]
  ): Self<K, P extends '*' | '/*' ? IntersectNonAnyTypes<[E, E2]> : E, S, BasePath>;
}
