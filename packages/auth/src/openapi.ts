/**
 * The OpenAPI metadata a middleware carries under `Symbol.for('milkyway.openapi')`, which
 * `@milkyway/core` merges into the service's OpenAPI document (security schemes, security
 * requirements, documented responses).
 *
 * @example
 * ```ts
 * import { OPENAPI, type OpenApiMeta, requireScopes } from '@milkyway/auth';
 *
 * const meta: OpenApiMeta = requireScopes('a')[OPENAPI];
 * ```
 */
export interface OpenApiMeta {
  /** Security schemes to add under `components.securitySchemes`. */
  securitySchemes?: Record<string, object>;
  /** Security requirements of the operation. */
  security?: Array<Record<string, string[]>>;
  /** Responses the middleware can produce. */
  responses?: Record<number, { description: string }>;
}

/**
 * The well-known symbol under which middleware carries {@link OpenApiMeta}.
 *
 * @example
 * ```ts
 * import { type JwtAuthOptions, OPENAPI, jwtAuth } from '@milkyway/auth';
 *
 * declare const options: JwtAuthOptions;
 *
 * const meta = jwtAuth(options)[OPENAPI];
 * ```
 */
export const OPENAPI: unique symbol = Symbol.for('milkyway.openapi') as never;

/**
 * A function carrying OpenAPI metadata.
 *
 * @example
 * ```ts
 * import { type MiddlewareHandler } from 'hono';
 * import { type WithOpenApi, requireScopes } from '@milkyway/auth';
 *
 * const guard: WithOpenApi<MiddlewareHandler> = requireScopes('a');
 * ```
 */
export type WithOpenApi<T> = T & { readonly [OPENAPI]: OpenApiMeta };

/** @internal attaches metadata (same effect as core's `withOpenApi`, without importing core). */
export function attachOpenApi<T extends object>(target: T, meta: OpenApiMeta): WithOpenApi<T> {
  Object.defineProperty(target, OPENAPI, { value: meta, enumerable: false });
  return target as WithOpenApi<T>;
}

/** @internal the bearer security scheme. */
export function bearerScheme(name: string): Record<string, object> {
  return { [name]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } };
}
