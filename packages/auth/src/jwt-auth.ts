import { type WithOpenApi, withOpenApi } from '@milkyway/protocol';
import type { MiddlewareHandler } from 'hono';
import { parseBearer } from './bearer.js';
import { bearerScheme } from './openapi.js';
import type { PrincipalEnv } from './principal.js';
import { UnauthorizedError } from './unauthorized-error.js';
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';

/**
 * Options `jwtAuth` adds to the verifier's.
 *
 * @example
 * ```ts
 * import type { JwtAuthExtras } from '@milkyway/auth';
 *
 * const extras: JwtAuthExtras = { schemeName: 'idpBearer' };
 * ```
 */
export interface JwtAuthExtras {
  /** OpenAPI security scheme name. Default `'bearerAuth'`. */
  schemeName?: string;
}

/**
 * Options of {@link jwtAuth}: the verifier's options, or an existing verifier to share.
 *
 * @example
 * ```ts
 * import { type JwtAuthOptions } from '@milkyway/auth';
 *
 * const options: JwtAuthOptions = {
 *   jwksUrl: 'https://id.example/.well-known/jwks.json',
 *   algorithms: ['RS256'],
 *   issuer: 'https://id.example/',
 *   audience: 'catalog',
 * };
 * ```
 */
export type JwtAuthOptions<TClaims = Record<string, unknown>> =
  | (VerifierOptions<TClaims> & JwtAuthExtras & { verifier?: undefined })
  | (JwtAuthExtras & {
      /** A verifier made with `createVerifier` (shared cache and keys). */
      verifier: Verifier<TClaims>;
    });

/**
 * Hono middleware: authenticates `Authorization: Bearer <JWT>` and sets `c.var.principal`,
 * typed on the routes it guards (its env declares `PrincipalEnv`). Missing credentials give 401 `WWW-Authenticate: Bearer`; a refused token
 * gives 401 `Bearer error="invalid_token"` (problem+json through core; the reason stays in
 * logs and metrics). Carries OpenAPI metadata (a bearer security scheme and requirement).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { jwtAuth, requireScopes } from '@milkyway/auth';
 *
 * const auth = jwtAuth({
 *   jwksUrl: 'https://id.example/.well-known/jwks.json',
 *   algorithms: ['RS256'],
 *   issuer: 'https://id.example/',
 *   audience: 'catalog',
 * });
 * const app = new Hono();
 * app.get('/health', (c) => c.text('ok')); // public: no principal here
 * app.get('/products', auth, requireScopes('catalog:read'), (c) => c.json({ by: c.var.principal.subject }));
 * ```
 */
export function jwtAuth<TClaims = Record<string, unknown>>(
  options: JwtAuthOptions<TClaims>,
): WithOpenApi<MiddlewareHandler<PrincipalEnv<TClaims>>> {
  const verifier = options.verifier ?? createVerifier(options as VerifierOptions<TClaims>);
  const maxLength = verifier.maxTokenLength;
  const schemeName = options.schemeName ?? 'bearerAuth';
  const middleware: MiddlewareHandler<PrincipalEnv<TClaims>> = async function jwtAuth(c, next) {
    const token = parseBearer(c.req.header('authorization'), maxLength);
    if (token === undefined) throw UnauthorizedError.missing('Bearer');
    c.set('principal', await verifier.verify(token));
    await next();
  };
  return withOpenApi(middleware, {
    securitySchemes: bearerScheme(schemeName),
    security: [{ [schemeName]: [] }],
    responses: { 401: { description: 'Missing or invalid bearer token' } },
  });
}
