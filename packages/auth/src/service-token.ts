import type { Clock, FetchInterceptor } from '@milkyway/protocol';
import { refuseRenamed } from './renamed.js';
import type { IssuedToken, TokenIssuer } from './token-issuer.js';

/**
 * Options of {@link serviceTokenInterceptor}: where tokens come from and for which audience.
 *
 * @example
 * ```ts
 * import { type ServiceTokenOptions, type TokenIssuer } from '@milkyway/auth';
 *
 * declare const issuer: TokenIssuer;
 *
 * const options: ServiceTokenOptions = { issuer, audience: 'catalog', scopes: ['catalog:read'] };
 * ```
 */
export interface ServiceTokenOptions {
  /** The called service (`aud`). */
  audience: string;
  /** Issue tokens locally with this issuer... */
  issuer?: TokenIssuer;
  /** ...or obtain them elsewhere (e.g. an OAuth client-credentials grant). */
  getToken?: (audience: string) => Promise<IssuedToken>;
  /** Scopes to request (with `issuer`). */
  scopes?: readonly string[];
  /** Refresh this many milliseconds before expiry. Default 60000 (capped at half the lifetime). */
  refreshBeforeMs?: number;
  /** Only attach the token to requests for these origins (e.g. `['https://catalog.internal']`). */
  origins?: readonly string[];
  /** Clock in epoch ms. Default `Date.now`. */
  clock?: Clock;
}

/**
 * A `FetchInterceptor` (protocol 5, from `@milkyway/protocol`) that also exposes its token
 * source.
 *
 * @example
 * ```ts
 * import { type ServiceTokenInterceptor, type TokenIssuer, serviceTokenInterceptor } from '@milkyway/auth';
 *
 * declare const issuer: TokenIssuer;
 *
 * const interceptor: ServiceTokenInterceptor = serviceTokenInterceptor({ issuer, audience: 'catalog' });
 * ```
 */
export interface ServiceTokenInterceptor extends FetchInterceptor {
  /** The current token, refreshed when it is near expiry. */
  token(): Promise<string>;
}

/**
 * An outbound interceptor that attaches `Authorization: Bearer <service token>` and refreshes
 * the token before it expires (one refresh at a time; while a still-valid token is being
 * refreshed, requests go out with the current one). Plug it into the resilient client's
 * `interceptors` (`httpClient` of `@milkyway/resilience/http`), or wrap plain fetch with {@link withServiceToken}.
 *
 * @example
 * ```ts
 * import { type TokenIssuer } from '@milkyway/auth';
 * import { serviceTokenInterceptor, withServiceToken } from '@milkyway/auth';
 *
 * declare const issuer: TokenIssuer;
 *
 * const tokens = serviceTokenInterceptor({ issuer, audience: 'catalog', scopes: ['catalog:read'] });
 * // with the resilient client: httpClient({ baseUrl: 'https://catalog.internal', interceptors: [tokens] }) from @milkyway/resilience/http
 * const res = await withServiceToken(tokens)('https://catalog.internal/products/1');
 * ```
 */
export function serviceTokenInterceptor(options: ServiceTokenOptions): ServiceTokenInterceptor {
  const { audience } = options;
  if (typeof audience !== 'string' || audience.length === 0)
    throw new TypeError('"audience" is required');
  const source =
    options.getToken ??
    (options.issuer
      ? () => options.issuer!.issue({ audience, scopes: options.scopes })
      : undefined);
  if (source === undefined)
    throw new TypeError('serviceTokenInterceptor needs "issuer" or "getToken"');
  const clock = options.clock ?? Date.now;
  refuseRenamed(options, { refreshBefore: 'refreshBeforeMs' }, '');
  const refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  const origins = options.origins?.map((o) => new URL(o).origin);
  let current: (IssuedToken & { refreshAt: number }) | undefined;
  let pending: Promise<IssuedToken & { refreshAt: number }> | undefined;

  const refresh = () => {
    pending ??= (async () => {
      const issuedAt = clock();
      const fresh = await source(audience);
      const lifetime = fresh.expiresAt - issuedAt;
      const next = {
        ...fresh,
        refreshAt: fresh.expiresAt - Math.min(refreshBeforeMs, lifetime / 2),
      };
      current = next;
      return next;
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  async function token(): Promise<string> {
    const now = clock();
    if (current !== undefined && now < current.expiresAt) {
      if (now >= current.refreshAt) refresh().catch(() => undefined); // refresh in the background
      return current.token;
    }
    return (await refresh()).token;
  }

  const interceptor = (async (request: Request, next: (request: Request) => Promise<Response>) => {
    if (origins !== undefined && !origins.includes(new URL(request.url).origin))
      return next(request);
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${await token()}`);
    return next(new Request(request, { headers }));
  }) as unknown as ServiceTokenInterceptor;
  interceptor.token = token;
  return interceptor;
}

/**
 * Wraps a fetch function with interceptors (e.g. {@link serviceTokenInterceptor}) for code that
 * does not use the resilient client.
 *
 * @example
 * ```ts
 * import { type TokenIssuer, serviceTokenInterceptor, withServiceToken } from '@milkyway/auth';
 *
 * declare const issuer: TokenIssuer;
 *
 * const catalogFetch = withServiceToken(serviceTokenInterceptor({ issuer, audience: 'catalog' }));
 * const res = await catalogFetch('https://catalog.internal/products/1');
 * ```
 */
export function withServiceToken(
  interceptor: FetchInterceptor,
  fetchImpl: (request: Request) => Promise<Response> = (request) => fetch(request),
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return (input, init) => interceptor(new Request(input, init), fetchImpl, { attempt: 0 });
}
