import { type WithOpenApi, withOpenApi } from '@milkyway/protocol';
import type { MiddlewareHandler } from 'hono';
import { ForbiddenError } from './forbidden-error.js';
import { bearerScheme } from './openapi.js';
import type { PrincipalEnv } from './principal.js';
import { principalOf } from './require-scopes.js';

/**
 * Guard: the principal must hold at least one of the listed roles (`{ all: true }` as the last
 * argument: all of them). 403 when not; 401 when no authentication ran.
 *
 * @example
 * ```ts
 * import { Hono, type Context } from 'hono';
 * import { requireRoles } from '@milkyway/auth';
 *
 * declare const app: Hono;
 * declare const handler: (c: Context) => Response;
 *
 * app.delete('/products/:id', requireRoles('admin', 'catalog-editor'), handler);
 * app.use('/ops/*', requireRoles('ops', 'oncall', { all: true }));
 * ```
 */
export function requireRoles(
  ...args: Array<string | { all: boolean }>
): WithOpenApi<MiddlewareHandler<PrincipalEnv>> {
  const last = args[args.length - 1];
  const all = typeof last === 'object' && last.all;
  const roles = args.filter((a): a is string => typeof a === 'string');
  if (roles.length === 0) throw new TypeError('requireRoles needs at least one role');
  const middleware: MiddlewareHandler<PrincipalEnv> = async function requireRoles(c, next) {
    const held = principalOf(c).roles;
    const ok = all ? roles.every((r) => held.includes(r)) : roles.some((r) => held.includes(r));
    if (!ok) throw new ForbiddenError('insufficient role');
    await next();
  };
  return withOpenApi(middleware, {
    securitySchemes: bearerScheme('bearerAuth'),
    security: [{ bearerAuth: roles }],
    responses: {
      401: { description: 'Missing or invalid credentials' },
      403: { description: `Requires ${all ? 'all' : 'one'} of the roles: ${roles.join(', ')}` },
    },
  });
}
