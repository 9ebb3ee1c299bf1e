import { type WithOpenApi, withOpenApi } from '@milkyway/protocol';
import type { Context, MiddlewareHandler } from 'hono';
import { ForbiddenError } from './forbidden-error.js';
import { bearerScheme } from './openapi.js';
import type { Principal, PrincipalEnv } from './principal.js';
import { principalOf } from './require-scopes.js';

/**
 * A fine-grained authorization rule: true to allow. May be async (e.g. a database look-up).
 *
 * @example
 * ```ts
 * import { type AuthorizePredicate } from '@milkyway/auth';
 *
 * declare const orders: { owner(id: string): Promise<string> };
 *
 * const ownsOrder: AuthorizePredicate = async (p, c) => (await orders.owner(c.req.param('id') ?? '')) === p.subject;
 * ```
 */
export type AuthorizePredicate<TClaims = Record<string, unknown>> = (
  principal: Principal<TClaims>,
  c: Context,
) => boolean | Promise<boolean>;

/**
 * Guard from a predicate: 403 when it returns false (401 when no authentication ran).
 *
 * @example
 * ```ts
 * import { Hono, type Context } from 'hono';
 * import { authorize } from '@milkyway/auth';
 *
 * declare const app: Hono;
 * declare const handler: (c: Context) => Response;
 *
 * app.get('/users/:id', authorize((p, c) => p.subject === c.req.param('id') || p.roles.includes('admin')), handler);
 * ```
 */
export function authorize<TClaims = Record<string, unknown>>(
  predicate: AuthorizePredicate<TClaims>,
  options: { description?: string } = {},
): WithOpenApi<MiddlewareHandler<PrincipalEnv<TClaims>>> {
  const middleware: MiddlewareHandler<PrincipalEnv<TClaims>> = async function authorize(c, next) {
    const principal = principalOf(c) as Principal<TClaims>;
    if ((await predicate(principal, c)) !== true)
      throw new ForbiddenError(options.description ?? 'forbidden');
    await next();
  };
  return withOpenApi(middleware, {
    securitySchemes: bearerScheme('bearerAuth'),
    security: [{ bearerAuth: [] }],
    responses: {
      401: { description: 'Missing or invalid credentials' },
      403: { description: options.description ?? 'Not allowed' },
    },
  });
}
