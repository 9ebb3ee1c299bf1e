import { Hono } from 'hono';
import type {
  BlankSchema,
  Env,
  HandlerInterface,
  IntersectNonAnyTypes,
  MiddlewareHandlerInterface,
  Schema,
} from 'hono/types';
import type { ServiceEnv } from '../kernel/context.js';
import { detachInstanceMethods } from '../kernel/hono-bridge.js';
import {
  MIDDLEWARE,
  type MiddlewareRecord,
  mountRecords,
  OPERATIONS,
  type OperationRecord,
  recordMiddleware,
  recordOperation,
} from './records.js';
import type { RouteSpec } from './route.js';
import type { TypedRouteMethod, TypedUse } from './route-methods.js';
import { createRouteValidator } from './route-validator.js';

const ROUTE_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const DETACHED = [...ROUTE_METHODS, 'use'] as const;
type Detached = (typeof DETACHED)[number];
type Plain = (...args: unknown[]) => unknown;

/** Hono's own per-instance functions, detached so that the Router's methods apply. */
const HONO: unique symbol = Symbol('milkyway.honoMethods');

function isSpec(value: unknown): value is RouteSpec {
  return typeof value === 'object' && value !== null;
}

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
  /** GET: `(path, spec, ...middleware, handler)` for a typed route, or `(path, ...handlers)` like Hono. */
  declare get: TypedRouteMethod<E, 'get', S, BasePath, 'router'> &
    HandlerInterface<E, 'get', S, BasePath>;
  /** POST: a typed route, or like Hono. */
  declare post: TypedRouteMethod<E, 'post', S, BasePath, 'router'> &
    HandlerInterface<E, 'post', S, BasePath>;
  /** PUT: a typed route, or like Hono. */
  declare put: TypedRouteMethod<E, 'put', S, BasePath, 'router'> &
    HandlerInterface<E, 'put', S, BasePath>;
  /** PATCH: a typed route, or like Hono. */
  declare patch: TypedRouteMethod<E, 'patch', S, BasePath, 'router'> &
    HandlerInterface<E, 'patch', S, BasePath>;
  /** DELETE: a typed route, or like Hono. */
  declare delete: TypedRouteMethod<E, 'delete', S, BasePath, 'router'> &
    HandlerInterface<E, 'delete', S, BasePath>;
  /** Hono's `use`; middleware carrying OpenAPI metadata (see `withOpenApi`) is documented. */
  declare use: TypedUse<E, S, BasePath, 'router'> & MiddlewareHandlerInterface<E, S, BasePath>;

  /** @internal the routes registered on this router (typed and plain), read by the OpenAPI generator. */
  readonly [OPERATIONS]: OperationRecord[] = [];
  /** @internal middleware registered with `use`, read for OpenAPI metadata. */
  readonly [MIDDLEWARE]: MiddlewareRecord[] = [];
  /** @internal */
  readonly [HONO]: Record<Detached, Plain>;

  /** @param options - Hono's options (`strict`, `router`, `getPath`). */
  constructor(options?: ConstructorParameters<typeof Hono<E, S, BasePath>>[0]) {
    super(options);
    this[HONO] = detachInstanceMethods(this, DETACHED) as Record<Detached, Plain>;
  }
}

/** Registers a route: a typed one (a spec after the path) gets its validator and its record. */
function addRoute(this: Router, method: (typeof ROUTE_METHODS)[number], ...args: unknown[]) {
  const plain = this[HONO][method];
  const [path, second] = args;
  if (typeof path !== 'string') return plain(...args);
  if (isSpec(second)) {
    const handlers = args.slice(2);
    const middleware = handlers.slice(0, -1);
    recordOperation(this, method, path, second, middleware);
    const validator = createRouteValidator(second);
    // Route middleware (guards) run first, then validation, then the handler: an
    // unauthenticated caller gets a 401, not a description of the input it got wrong.
    if (!validator) return plain(path, ...handlers);
    return plain(path, ...middleware, validator, handlers[handlers.length - 1]);
  }
  if (args.length > 1) recordOperation(this, method, path, {}, args.slice(1, -1));
  return plain(...args);
}

function use(this: Router, ...args: unknown[]) {
  const [first] = args;
  const path = typeof first === 'string' ? first : '*';
  for (const middleware of typeof first === 'string' ? args.slice(1) : args) {
    recordMiddleware(this, path, middleware);
  }
  return this[HONO].use(...args);
}

// The typed methods are real methods of the prototype (Hono's per-instance ones are detached
// in the constructor); TypeScript sees them through the `declare`d members above.
for (const method of ROUTE_METHODS) {
  Object.defineProperty(Router.prototype, method, {
    configurable: true,
    writable: true,
    value: function (this: Router, ...args: unknown[]) {
      return addRoute.call(this, method, ...args);
    },
  });
}
Object.defineProperty(Router.prototype, 'use', { configurable: true, writable: true, value: use });
// `route` keeps Hono's declared type (so `hc<typeof app>` infers the schema cleanly) and also
// carries the mounted app's operation records over, prefixed.
Object.defineProperty(Router.prototype, 'route', {
  configurable: true,
  writable: true,
  value: function route(this: Router, path: string, app: Hono) {
    Hono.prototype.route.call(this, path, app);
    mountRecords(this, path, app);
    return this;
  },
});

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
