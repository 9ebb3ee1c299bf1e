import { Hono } from 'hono';
import type { HonoBase } from 'hono/hono-base';
import type {
  BlankSchema,
  Env,
  HandlerInterface,
  HandlerResponse,
  IntersectNonAnyTypes,
  MergePath,
  MiddlewareHandler,
  MiddlewareHandlerInterface,
  Schema,
  ToSchema,
} from 'hono/types';
import { mergePath } from 'hono/utils/url';
import type { ServiceEnv } from './context.js';
import {
  createRouteValidator,
  type RouteHandler,
  type RouteInput,
  type RouteOutput,
  type RouteSpec,
} from './route.js';
import type { Service } from './service.js';

/**
 * A typed operation registered on a router (what the OpenAPI generator reads).
 *
 * @example
 * ```ts
 * import { OPERATIONS, type Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * for (const op of service[OPERATIONS]) console.log(op.method, op.path);
 * ```
 */
export interface OperationRecord {
  /** Lower-case HTTP method. */
  method: string;
  /** Full Hono path (`/v1/products/:id`). */
  path: string;
  /** The route's spec (`{}` for plain Hono routes). */
  spec: RouteSpec;
  /** Route-level middleware (read for OpenAPI metadata). */
  middleware: readonly unknown[];
}

/**
 * Middleware registered with `use`, by path pattern (read for OpenAPI metadata).
 *
 * @example
 * ```ts
 * import { MIDDLEWARE, type Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * for (const mw of service[MIDDLEWARE]) console.log(mw.path);
 * ```
 */
export interface MiddlewareRecord {
  /** Path pattern (`*`, `/admin/*`). */
  path: string;
  /** The middleware function. */
  middleware: unknown;
}

/**
 * Symbol under which a router keeps its {@link OperationRecord}s.
 *
 * @example
 * ```ts
 * import { OPERATIONS, type OperationRecord, type Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * const operations: OperationRecord[] = service[OPERATIONS];
 * ```
 */
export const OPERATIONS: unique symbol = Symbol.for('milkyway.operations') as never;
/**
 * Symbol under which a router keeps its {@link MiddlewareRecord}s.
 *
 * @example
 * ```ts
 * import { MIDDLEWARE, type MiddlewareRecord, type Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * const middleware: MiddlewareRecord[] = service[MIDDLEWARE];
 * ```
 */
export const MIDDLEWARE: unique symbol = Symbol.for('milkyway.middleware') as never;

/**
 * Maps a kind name to the class that typed methods return, so chaining keeps the type.
 *
 * @example
 * ```ts
 * import type { KindMap, ServiceEnv } from '@milkyway/core';
 *
 * type S = KindMap<ServiceEnv, {}, '/'>['service']; // Service<ServiceEnv, {}, '/'>
 * ```
 */
export interface KindMap<E extends Env, S extends Schema, BasePath extends string> {
  /** A {@link Router}. */
  router: Router<E, S, BasePath>;
  /** A {@link Service}. */
  service: Service<E, S, BasePath>;
}
/**
 * `router` or `service`: which class typed methods return.
 *
 * @example
 * ```ts
 * import type { Kind } from '@milkyway/core';
 *
 * const kind: Kind = 'router';
 * ```
 */
export type Kind = keyof KindMap<Env, Schema, string>;
/**
 * The class of kind `K` with the given Hono generics.
 *
 * @example
 * ```ts
 * import type { Self, ServiceEnv } from '@milkyway/core';
 *
 * type R = Self<'router', ServiceEnv, {}, '/'>; // Router<ServiceEnv, {}, '/'>
 * ```
 */
export type Self<
  K extends Kind,
  E extends Env,
  S extends Schema,
  BasePath extends string,
> = KindMap<E, S, BasePath>[K];

/**
 * The Hono `Env` each middleware of a tuple declares (what it adds to `c.var`), in order.
 *
 * @example
 * ```ts
 * import type { EnvsOf } from '@milkyway/core';
 * import type { MiddlewareHandler } from 'hono';
 *
 * type Principal = { subject: string; scopes: string[] };
 * declare const auth: MiddlewareHandler<{ Variables: { principal: Principal } }>;
 * declare const audit: MiddlewareHandler<{}>;
 * type Envs = EnvsOf<[typeof auth, typeof audit]>; // [{ Variables: { principal: Principal } }, {}]
 * ```
 */
export type EnvsOf<Mw extends unknown[]> = {
  // biome-ignore lint/suspicious/noExplicitAny: only the env is read
  [I in keyof Mw]: Mw[I] extends MiddlewareHandler<infer X, any, any> ? X : {};
};

/**
 * A typed route method: `app.get(path, spec, ...middleware, handler)`. The handler's inputs are
 * inferred from the spec's schemas and its return value is checked against `responses`.
 *
 * @example
 * ```ts
 * import { createRouter } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const router = createRouter();
 * router.get('/items/:id', { params: z.object({ id: z.string() }) }, (c) => c.text(c.req.valid('param').id));
 * ```
 */
export type TypedRouteMethod<
  E extends Env,
  M extends string,
  S extends Schema,
  BasePath extends string,
  K extends Kind,
> = <
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
) => Self<
  K,
  E,
  S & ToSchema<M, MergePath<BasePath, P>, RouteInput<R>, Awaited<RouteOutput<R, Ret>>>,
  BasePath
>;

/**
 * `use` that keeps the router/service type (so chained calls keep the typed methods).
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 * import { etag } from 'hono/etag';
 * import { logger } from 'hono/logger';
 *
 * const service = createService({ name: 'api', version: '1.0.0' }).use(logger()).use(etag());
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
  ): Self<K, IntersectNonAnyTypes<[E, E2]>, S, BasePath>;
}

/** Hono keeps the base path in a TS-private field. @internal */
function basePathOf(app: object): string {
  return (app as { _basePath?: string })._basePath ?? '/';
}

const TYPED_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function isSpec(value: unknown): value is RouteSpec {
  return typeof value === 'object' && value !== null && typeof value !== 'function';
}

type AnyHandler = (...args: unknown[]) => unknown;

/**
 * A Hono app with typed routes: a group of routes you can mount under a base path with
 * `service.route('/v1', router)`. Any Hono middleware and plain Hono routes work as usual.
 *
 * @example
 * ```ts
 * import { Router } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const products = new Router().get(
 *   '/products/:id',
 *   { params: z.object({ id: z.string() }), responses: { 200: z.object({ id: z.string() }) } },
 *   (c) => c.json({ id: c.req.valid('param').id }, 200),
 * );
 * ```
 */
export class Router<
  E extends Env = ServiceEnv,
  S extends Schema = BlankSchema,
  BasePath extends string = '/',
> extends Hono<E, S, BasePath> {
  /** GET: `(path, handler)` like Hono, or `(path, spec, ...middleware, handler)` for a typed route. */
  declare get: TypedRouteMethod<E, 'get', S, BasePath, 'router'> &
    HandlerInterface<E, 'get', S, BasePath>;
  /** POST: like Hono, or a typed route. */
  declare post: TypedRouteMethod<E, 'post', S, BasePath, 'router'> &
    HandlerInterface<E, 'post', S, BasePath>;
  /** PUT: like Hono, or a typed route. */
  declare put: TypedRouteMethod<E, 'put', S, BasePath, 'router'> &
    HandlerInterface<E, 'put', S, BasePath>;
  /** PATCH: like Hono, or a typed route. */
  declare patch: TypedRouteMethod<E, 'patch', S, BasePath, 'router'> &
    HandlerInterface<E, 'patch', S, BasePath>;
  /** DELETE: like Hono, or a typed route. */
  declare delete: TypedRouteMethod<E, 'delete', S, BasePath, 'router'> &
    HandlerInterface<E, 'delete', S, BasePath>;
  /** Hono's `use`; middleware carrying OpenAPI metadata (see `withOpenApi`) is documented. */
  declare use: TypedUse<E, S, BasePath, 'router'> & MiddlewareHandlerInterface<E, S, BasePath>;

  /** The routes registered on this router (typed and plain), read by the OpenAPI generator. */
  readonly [OPERATIONS]: OperationRecord[] = [];
  /** Middleware registered with `use`, read for OpenAPI metadata. */
  readonly [MIDDLEWARE]: MiddlewareRecord[] = [];

  /** @param options - Hono's options (`strict`, `router`, `getPath`). */
  constructor(options?: ConstructorParameters<typeof Hono<E, S, BasePath>>[0]) {
    super(options);
    const self = this as unknown as Record<string, AnyHandler>;
    for (const method of TYPED_METHODS) {
      const plain = self[method] as AnyHandler;
      self[method] = (...args: unknown[]) => {
        const [path, second] = args;
        if (typeof path === 'string' && isSpec(second)) {
          const handlers = args.slice(2);
          const validator = createRouteValidator(second);
          this[OPERATIONS].push({
            method,
            path: mergePath(basePathOf(this), path),
            spec: second,
            middleware: handlers.slice(0, -1),
          });
          // Route middleware (guards) run first, then validation, then the handler: an
          // unauthenticated caller gets a 401, not a description of the input it got wrong.
          if (!validator) return plain(path, ...handlers);
          return plain(path, ...handlers.slice(0, -1), validator, handlers[handlers.length - 1]);
        }
        if (typeof path === 'string' && args.length > 1) {
          this[OPERATIONS].push({
            method,
            path: mergePath(basePathOf(this), path),
            spec: {},
            middleware: args.slice(1, -1),
          });
        }
        return plain(...args);
      };
    }
    const plainUse = self.use as AnyHandler;
    self.use = (...args: unknown[]) => {
      const [first] = args;
      const path = typeof first === 'string' ? first : '*';
      for (const middleware of typeof first === 'string' ? args.slice(1) : args) {
        this[MIDDLEWARE].push({ path: mergePath(basePathOf(this), path), middleware });
      }
      return plainUse(...args);
    };
    // `route` keeps Hono's declared type (so `hc<typeof app>` infers the schema cleanly) and
    // also carries the mounted app's operation records over, prefixed.
    const plainRoute = Hono.prototype.route;
    (this as { route: unknown }).route = (path: string, app: HonoBase) => {
      plainRoute.call(this as never, path, app as never);
      mountRecords(this, path, app);
      return this;
    };
  }

  /**
   * Mounts another app (a {@link Router} or any Hono app) under `path`, e.g. a version prefix.
   * Typed routes of a mounted Router keep their OpenAPI description.
   *
   * @example
   * ```ts
   * import { createService, type Router } from '@milkyway/core';
   *
   * declare const products: Router;
   * const service = createService({ name: 'api', version: '1.0.0' });
   * service.route('/v1', products); // GET /v1/products/:id
   * ```
   */
}

/** @internal */
// biome-ignore lint/suspicious/noExplicitAny: a router of any env and schema
export type AnyRouter = Router<any, any, any>;

/** Copies a mounted app's operation and middleware records, prefixed. @internal */
export function mountRecords(target: AnyRouter, path: string, app: unknown): void {
  const sub = app as Partial<AnyRouter>;
  const prefix = mergePath(basePathOf(target), path);
  for (const op of sub[OPERATIONS] ?? [])
    target[OPERATIONS].push({ ...op, path: mergePath(prefix, op.path) });
  for (const mw of sub[MIDDLEWARE] ?? [])
    target[MIDDLEWARE].push({ ...mw, path: mergePath(prefix, mw.path) });
}

/**
 * Creates a {@link Router}: a group of typed routes to mount with `service.route(prefix, router)`.
 *
 * @example
 * ```ts
 * import { createRouter, createService } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const v1 = createRouter().get('/ping', { responses: { 200: z.object({ pong: z.boolean() }) } }, (c) =>
 *   c.json({ pong: true }, 200),
 * );
 * const service = createService({ name: 'api', version: '1.0.0' }).route('/v1', v1);
 * ```
 */
export function createRouter<E extends Env = {}>(): Router<
  IntersectNonAnyTypes<[ServiceEnv, E]>,
  BlankSchema,
  '/'
> {
  return new Router();
}
