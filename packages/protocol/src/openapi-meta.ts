/**
 * Protocol 4 — OpenAPI metadata on middleware. A middleware (a guard, a rate limiter) carries
 * the security schemes, requirements and responses it adds to every operation it guards, under
 * `Symbol.for('milkyway.openapi')`; core merges them into the service's OpenAPI document.
 *
 * @example
 * ```ts
 * import { OPENAPI_META } from '@milkyway/protocol';
 *
 * declare const middleware: object;
 * const meta = (middleware as Record<symbol, unknown>)[OPENAPI_META];
 * ```
 */
export const OPENAPI_META: unique symbol = Symbol.for('milkyway.openapi') as never;

/**
 * OpenAPI metadata a middleware contributes to every operation it guards.
 *
 * @example
 * ```ts
 * import type { OpenApiMeta } from '@milkyway/protocol';
 *
 * const meta: OpenApiMeta = {
 *   securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
 *   security: [{ bearer: ['orders:write'] }],
 *   responses: { 401: { description: 'Missing token' }, 403: { description: 'Missing scope' } },
 * };
 * ```
 */
export interface OpenApiMeta {
  /** Components to add under `components.securitySchemes`, by name. */
  securitySchemes?: Record<string, object>;
  /** Security requirements of the operation, e.g. `[{ bearer: ['catalog:read'] }]`. */
  security?: Array<Record<string, string[]>>;
  /** Responses the middleware may produce, by status (rendered as problem+json responses). */
  responses?: Record<number, { description: string; headers?: Record<string, object> }>;
}

/**
 * A function or object carrying {@link OpenApiMeta}.
 *
 * @example
 * ```ts
 * import { OPENAPI_META, type WithOpenApi } from '@milkyway/protocol';
 *
 * declare const guard: WithOpenApi<() => void>;
 * const security = guard[OPENAPI_META].security;
 * ```
 */
export type WithOpenApi<T> = T & { readonly [OPENAPI_META]: OpenApiMeta };

/**
 * Attaches OpenAPI metadata to a middleware and returns the same function. Metadata already
 * there is merged (security requirements appended, schemes and responses overlaid), so
 * wrapping a guard that carries its own metadata adds to it.
 *
 * @example
 * ```ts
 * import { withOpenApi } from '@milkyway/protocol';
 *
 * const apiKey = async (_c: unknown, next: () => Promise<void>) => next();
 * export const guarded = withOpenApi(apiKey, {
 *   securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
 *   security: [{ apiKey: [] }],
 *   responses: { 401: { description: 'Missing or invalid API key' } },
 * });
 * ```
 */
export function withOpenApi<T extends object>(target: T, meta: OpenApiMeta): WithOpenApi<T> {
  const existing = readOpenApiMeta(target);
  const merged: OpenApiMeta = existing
    ? {
        securitySchemes: { ...existing.securitySchemes, ...meta.securitySchemes },
        security: [...(existing.security ?? []), ...(meta.security ?? [])],
        responses: { ...existing.responses, ...meta.responses },
      }
    : meta;
  // Configurable, so a second withOpenApi (or a package's own attach) can merge into it.
  Object.defineProperty(target, OPENAPI_META, {
    value: merged,
    configurable: true,
    enumerable: false,
    writable: false,
  });
  return target as WithOpenApi<T>;
}

/**
 * Reads the OpenAPI metadata a middleware carries, if any.
 *
 * @example
 * ```ts
 * import { readOpenApiMeta } from '@milkyway/protocol';
 *
 * declare const someMiddleware: unknown;
 * const meta = readOpenApiMeta(someMiddleware); // OpenApiMeta | undefined
 * ```
 */
export function readOpenApiMeta(target: unknown): OpenApiMeta | undefined {
  if (typeof target !== 'function' && (typeof target !== 'object' || target === null)) {
    return undefined;
  }
  const meta = (target as Record<symbol, unknown>)[OPENAPI_META];
  return typeof meta === 'object' && meta !== null ? (meta as OpenApiMeta) : undefined;
}
