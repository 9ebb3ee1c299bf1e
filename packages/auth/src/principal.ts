import type { PrincipalVariables } from '@milkyway/protocol';

/**
 * Who made the request, set on the Hono context as `c.var.principal` by `jwtAuth` and
 * `apiKeyAuth` (the shared protocol other Milkyway packages read structurally, e.g. rate limits
 * keyed by `c.var.principal?.subject`). Principals are frozen: they may be shared by the
 * verified-token cache.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { type JwtAuthOptions, type Principal, jwtAuth } from '@milkyway/auth';
 *
 * declare const app: Hono;
 * declare const principal: Principal;
 * declare const options: JwtAuthOptions;
 *
 * app.get('/me', jwtAuth(options), (c) => c.json({ id: c.var.principal.subject }));
 * ```
 */
export interface Principal<TClaims = Record<string, unknown>> {
  /** The `sub` claim, or the API key's subject. */
  readonly subject: string;
  /** Granted scopes (from `scope` / `scp`, or the API key's entry). */
  readonly scopes: readonly string[];
  /** Granted roles (from `roles`, or the API key's entry). */
  readonly roles: readonly string[];
  /** The verified claims (parsed by the `claims` schema when one is given). */
  readonly claims: TClaims;
  /** How the caller authenticated. */
  readonly type: 'jwt' | 'apiKey';
}

/**
 * The Hono environment `jwtAuth`, `apiKeyAuth` and the guards declare: `c.var.principal`
 * (protocol 2's `PrincipalVariables`) is typed on the routes where one of them runs, and only
 * there. Declare it on an app yourself only when every route of that app is authenticated.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { type JwtAuthOptions, jwtAuth, type PrincipalEnv } from '@milkyway/auth';
 *
 * declare const options: JwtAuthOptions;
 *
 * // every route of this sub-app is authenticated:
 * const api = new Hono<PrincipalEnv>().use(jwtAuth(options));
 * api.get('/me', (c) => c.json({ id: c.var.principal.subject }));
 * ```
 */
export interface PrincipalEnv<TClaims = Record<string, unknown>> {
  /** Context variables: the authenticated caller as `principal`. */
  Variables: PrincipalVariables<Principal<TClaims>>;
}

function words(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(value))
    return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}

/**
 * The default scope reader: the space-separated `scope` claim (RFC 8693 / RFC 9068) plus the
 * `scp` claim (an array, as Okta sends it, or a space-separated string, as Entra ID sends it).
 *
 * @example
 * ```ts
 * import { scopesFromClaims } from '@milkyway/auth';
 *
 * scopesFromClaims({ scope: 'a b', scp: ['c'] }); // ['a', 'b', 'c']
 * ```
 */
export function scopesFromClaims(claims: Record<string, unknown>): string[] {
  const scopes = words(claims.scope);
  for (const s of words(claims.scp)) if (!scopes.includes(s)) scopes.push(s);
  return scopes;
}

/**
 * The default role reader: the `roles` claim (an array, as Entra ID and most IdPs send it).
 * For Keycloak's `realm_access.roles` or Auth0's namespaced claims, pass your own `roles`
 * function to `jwtAuth`.
 *
 * @example
 * ```ts
 * import { rolesFromClaims } from '@milkyway/auth';
 *
 * rolesFromClaims({ roles: ['admin'] }); // ['admin']
 * ```
 */
export function rolesFromClaims(claims: Record<string, unknown>): string[] {
  return words(claims.roles);
}
