import { createHash, timingSafeEqual } from 'node:crypto';
import { type WithOpenApi, withOpenApi } from '@milkyway/protocol';
import type { Context, MiddlewareHandler } from 'hono';

import type { Principal, PrincipalEnv } from './principal.js';
import { authInstruments, recordFailure } from './telemetry.js';
import { UnauthorizedError } from './unauthorized-error.js';

/**
 * One accepted API key, stored by its SHA-256 (hex), never in clear.
 *
 * @example
 * ```ts
 * import { type ApiKeyEntry, hashApiKey } from '@milkyway/auth';
 *
 * const entry: ApiKeyEntry = { sha256: hashApiKey(process.env.PARTNER_KEY!), subject: 'partner-a', scopes: ['orders:read'] };
 * ```
 */
export interface ApiKeyEntry {
  /** SHA-256 of the key, hex (see {@link hashApiKey}). */
  sha256: string;
  /** Who the key belongs to. */
  subject: string;
  /** Scopes the key grants. */
  scopes?: string[];
  /** Roles the key grants. */
  roles?: string[];
}

/**
 * What a lookup function returns for a known key (or `null`/`undefined` for an unknown one).
 *
 * @example
 * ```ts
 * import { type ApiKeyIdentity } from '@milkyway/auth';
 *
 * const found: ApiKeyIdentity = { subject: 'partner-a', scopes: ['orders:read'] };
 * ```
 */
export interface ApiKeyIdentity {
  /** Who the key belongs to. */
  subject: string;
  /** Scopes the key grants. */
  scopes?: string[];
  /** Roles the key grants. */
  roles?: string[];
  /** Extra data, exposed as `principal.claims`. */
  claims?: Record<string, unknown>;
}

/**
 * Options of {@link apiKeyAuth}: a static set of hashed keys, or a lookup function.
 *
 * @example
 * ```ts
 * import { type ApiKeyAuthOptions } from '@milkyway/auth';
 *
 * const options: ApiKeyAuthOptions = { keys: [{ sha256: '9f86d0...', subject: 'partner-a' }] };
 * ```
 */
export interface ApiKeyAuthOptions {
  /** Header carrying the key. Default `'x-api-key'`. */
  header?: string;
  /** Accepted keys by SHA-256 (compared in constant time). */
  keys?: readonly ApiKeyEntry[];
  /**
   * Look a key up (e.g. in a database by its `sha256`). Compare secrets with
   * `crypto.timingSafeEqual` if you compare them yourself.
   */
  lookup?: (
    key: { value: string; sha256: string },
    c: Context,
  ) => ApiKeyIdentity | null | undefined | Promise<ApiKeyIdentity | null | undefined>;
  /** Longest key accepted (refused before hashing). Default 256. */
  maxLength?: number;
  /** OpenAPI security scheme name. Default `'apiKeyAuth'`. */
  schemeName?: string;
}

/**
 * SHA-256 of an API key, hex: what {@link apiKeyAuth}'s `keys` stores instead of the key.
 *
 * @example
 * ```ts
 * import { hashApiKey } from '@milkyway/auth';
 *
 * hashApiKey('test'); // '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'
 * ```
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Hono middleware: authenticates an API key header against hashed keys or a lookup function
 * and sets `c.var.principal` (`type: 'apiKey'`). Keys are hashed, compared with
 * `crypto.timingSafeEqual` against every entry (no early exit), and never logged. Missing or
 * unknown key: 401 with `WWW-Authenticate: ApiKey header="x-api-key"`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { apiKeyAuth } from '@milkyway/auth';
 *
 * declare const app: Hono;
 *
 * app.use('/partner/*', apiKeyAuth({
 *   keys: [{ sha256: process.env.PARTNER_A_KEY_SHA256!, subject: 'partner-a', scopes: ['orders:read'] }],
 * }));
 * ```
 */
export function apiKeyAuth(
  options: ApiKeyAuthOptions,
): WithOpenApi<MiddlewareHandler<PrincipalEnv>> {
  const header = (options.header ?? 'x-api-key').toLowerCase();
  const maxLength = options.maxLength ?? 256;
  const schemeName = options.schemeName ?? 'apiKeyAuth';
  const challenge = `ApiKey header="${header}"`;
  if (!options.keys && !options.lookup) throw new TypeError('apiKeyAuth needs "keys" or "lookup"');
  const entries = (options.keys ?? []).map((entry) => {
    if (!/^[0-9a-f]{64}$/i.test(entry.sha256))
      throw new TypeError(`API key entry for ${entry.subject}: "sha256" must be 64 hex digits`);
    return { digest: Buffer.from(entry.sha256, 'hex'), entry };
  });

  const refuse = (reason: 'missing' | 'api_key'): never => {
    recordFailure('api_key', reason);
    throw new UnauthorizedError({ reason, challenge });
  };

  const middleware: MiddlewareHandler<PrincipalEnv> = async function apiKeyAuth(c, next) {
    const value = c.req.header(header);
    if (value === undefined || value.length === 0) return refuse('missing');
    if (value.length > maxLength) return refuse('api_key');
    const digest = createHash('sha256').update(value, 'utf8').digest();
    let found: ApiKeyEntry | undefined;
    for (const candidate of entries) {
      // constant time per entry, and every entry is compared: no early exit
      if (timingSafeEqual(candidate.digest, digest) && found === undefined) found = candidate.entry;
    }
    let identity: ApiKeyIdentity | null | undefined = found;
    if (identity === undefined && options.lookup) {
      identity = await options.lookup({ value, sha256: digest.toString('hex') }, c);
    }
    if (!identity) return refuse('api_key');
    const principal: Principal = Object.freeze({
      subject: identity.subject,
      scopes: Object.freeze([...(identity.scopes ?? [])]),
      roles: Object.freeze([...(identity.roles ?? [])]),
      claims: Object.freeze({ ...((identity as ApiKeyIdentity).claims ?? {}) }),
      type: 'apiKey' as const,
    });
    authInstruments().verifications.add(1, {
      'milkyway.auth.result': 'success',
      'milkyway.auth.method': 'api_key',
    });
    c.set('principal', principal);
    await next();
  };
  return withOpenApi(middleware, {
    securitySchemes: { [schemeName]: { type: 'apiKey', in: 'header', name: header } },
    security: [{ [schemeName]: [] }],
    responses: { 401: { description: 'Missing or invalid API key' } },
  });
}
