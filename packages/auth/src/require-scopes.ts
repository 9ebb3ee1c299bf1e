import { type WithOpenApi, withOpenApi } from '@milkyway/protocol';
import type { MiddlewareHandler } from 'hono';
import { ForbiddenError } from './forbidden-error.js';
import { bearerScheme } from './openapi.js';
import type { Principal, PrincipalEnv } from './principal.js';
import { UnauthorizedError } from './unauthorized-error.js';

/**
 * @internal reads the principal, or answers 401 when no authentication ran (the guard's type
 * says a principal is there; at run time an app may still forget the authentication).
 */
export function principalOf(c: { get(key: 'principal'): unknown }): Principal {
  const principal = c.get('principal') as Principal | undefined;
  if (principal === undefined) throw UnauthorizedError.missing('Bearer');
  return principal;
}

/**
 * Guard: every listed scope must be granted (`scope` claim, space-separated, or `scp`). Use
 * after `jwtAuth` (or `apiKeyAuth`), per route or per group; `c.var.principal` is typed on the
 * routes it guards. Refusal: 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."`; no principal: 401.
 * On typed routes it appears in OpenAPI as a security requirement with these scopes.
 *
 * @example
 * ```ts
 * import { Hono, type Context } from 'hono';
 * import { requireScopes } from '@milkyway/auth';
 *
 * declare const app: Hono;
 * declare const handler: (c: Context) => Response;
 *
 * app.get('/orders', requireScopes('orders:read'), handler);
 * app.use('/admin/*', requireScopes('admin:read', 'admin:write'));
 * ```
 */
export function requireScopes(...scopes: string[]): WithOpenApi<MiddlewareHandler<PrincipalEnv>> {
  const required = scopes.flatMap((s) => s.split(' ')).filter((s) => s.length > 0);
  if (required.length === 0) throw new TypeError('requireScopes needs at least one scope');
  const middleware: MiddlewareHandler<PrincipalEnv> = async function requireScopes(c, next) {
    const principal = principalOf(c);
    for (const scope of required) {
      if (!principal.scopes.includes(scope)) throw ForbiddenError.insufficientScope(required);
    }
    await next();
  };
  return withOpenApi(middleware, {
    securitySchemes: bearerScheme('bearerAuth'),
    security: [{ bearerAuth: required }],
    responses: {
      401: { description: 'Missing or invalid bearer token' },
      403: { description: `Requires scopes: ${required.join(' ')}` },
    },
  });
}
