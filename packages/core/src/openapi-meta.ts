/**
 * The symbol under which middleware carries its OpenAPI metadata (protocol 4).
 *
 * @example
 * ```ts
 * import { OPENAPI_META } from '@milkyway/core';
 *
 * declare const middleware: object;
 * const meta = (middleware as Record<symbol, unknown>)[OPENAPI_META]; // same as Symbol.for('milkyway.openapi')
 * ```
 */
export const OPENAPI_META: unique symbol = Symbol.for('milkyway.openapi') as never;

/**
 * OpenAPI metadata a middleware contributes to every operation it guards: security schemes,
 * security requirements, and the responses it may produce (e.g. 401/403/429).
 *
 * @example
 * ```ts
 * import { type OpenApiMeta, withOpenApi } from '@milkyway/core';
 * import type { MiddlewareHandler } from 'hono';
 *
 * declare const guard: MiddlewareHandler;
 * const meta: OpenApiMeta = {
 *   securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
 *   security: [{ bearer: ['orders:write'] }],
 *   responses: { 401: { description: 'Missing token' }, 403: { description: 'Missing scope' } },
 * };
 * withOpenApi(guard, meta);
 * ```
 */
export interface OpenApiMeta {
  /** Components to add under `components.securitySchemes`, by name. */
  securitySchemes?: Record<string, object>;
  /** Security requirements the operation gets, e.g. `[{ bearer: ['catalog:read'] }]`. */
  security?: Array<Record<string, string[]>>;
  /** Responses the middleware may produce, by status. Rendered as problem+json responses. */
  responses?: Record<number, { description: string }>;
}

/**
 * Attaches OpenAPI metadata to a middleware (returns the same function), so that a service
 * using it on a typed route or through `service.use(...)` documents it.
 *
 * @example
 * ```ts
 * import { withOpenApi } from '@milkyway/core';
 * import type { MiddlewareHandler } from 'hono';
 *
 * const apiKey: MiddlewareHandler = async (c, next) => next();
 * export const guarded = withOpenApi(apiKey, {
 *   securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
 *   security: [{ apiKey: [] }],
 *   responses: { 401: { description: 'Missing or invalid API key' } },
 * });
 * ```
 */
export function withOpenApi<M extends (...args: never[]) => unknown>(
  middleware: M,
  meta: OpenApiMeta,
): M {
  const existing = readOpenApiMeta(middleware);
  const merged: OpenApiMeta = existing
    ? {
        securitySchemes: { ...existing.securitySchemes, ...meta.securitySchemes },
        security: [...(existing.security ?? []), ...(meta.security ?? [])],
        responses: { ...existing.responses, ...meta.responses },
      }
    : meta;
  Object.defineProperty(middleware, OPENAPI_META, {
    value: merged,
    configurable: true,
    enumerable: false,
  });
  return middleware;
}

/**
 * Reads the OpenAPI metadata a middleware carries, if any.
 *
 * @example
 * ```ts
 * import { readOpenApiMeta } from '@milkyway/core';
 * import type { MiddlewareHandler } from 'hono';
 *
 * declare const someMiddleware: MiddlewareHandler;
 * const meta = readOpenApiMeta(someMiddleware); // { security: [...] } | undefined
 * ```
 */
export function readOpenApiMeta(middleware: unknown): OpenApiMeta | undefined {
  if (typeof middleware !== 'function' && (typeof middleware !== 'object' || middleware === null))
    return undefined;
  const meta = (middleware as Record<symbol, unknown>)[OPENAPI_META];
  return typeof meta === 'object' && meta !== null ? (meta as OpenApiMeta) : undefined;
}
