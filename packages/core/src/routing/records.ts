import { mergePath } from 'hono/utils/url';
import { basePathOf } from '../kernel/hono-bridge.js';
import type { RouteSpec } from './route.js';

/**
 * A route registered on a router (what the OpenAPI generator reads).
 * @internal
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
 * @internal
 */
export interface MiddlewareRecord {
  /** Path pattern (`*`, `/admin/*`). */
  path: string;
  /** The middleware function. */
  middleware: unknown;
}

/** Where a router keeps its {@link OperationRecord}s. @internal */
export const OPERATIONS: unique symbol = Symbol.for('milkyway.operations') as never;
/** Where a router keeps its {@link MiddlewareRecord}s. @internal */
export const MIDDLEWARE: unique symbol = Symbol.for('milkyway.middleware') as never;

/** What a router records for the OpenAPI generator. @internal */
export interface Records {
  readonly [OPERATIONS]: OperationRecord[];
  readonly [MIDDLEWARE]: MiddlewareRecord[];
}

/** The records of any app: empty for an app that is not a Milkyway router. @internal */
export function recordsOf(app: object): Records {
  const records = app as Partial<Records>;
  return { [OPERATIONS]: records[OPERATIONS] ?? [], [MIDDLEWARE]: records[MIDDLEWARE] ?? [] };
}

/** Records a route of `app` at `path` (relative to the app's base path). @internal */
export function recordOperation(
  app: Records & object,
  method: string,
  path: string,
  spec: RouteSpec,
  middleware: readonly unknown[],
): void {
  app[OPERATIONS].push({ method, path: mergePath(basePathOf(app), path), spec, middleware });
}

/** Records a middleware of `app` at `path`. @internal */
export function recordMiddleware(app: Records & object, path: string, middleware: unknown): void {
  app[MIDDLEWARE].push({ path: mergePath(basePathOf(app), path), middleware });
}

/** Copies a mounted app's records into `target`, prefixed with the mount path. @internal */
export function mountRecords(target: Records & object, path: string, app: object): void {
  const sub = recordsOf(app);
  const prefix = mergePath(basePathOf(target), path);
  for (const op of sub[OPERATIONS])
    target[OPERATIONS].push({ ...op, path: mergePath(prefix, op.path) });
  for (const mw of sub[MIDDLEWARE])
    target[MIDDLEWARE].push({ ...mw, path: mergePath(prefix, mw.path) });
}
