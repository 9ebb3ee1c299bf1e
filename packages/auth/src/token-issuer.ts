import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import type { Clock } from '@milkyway/protocol';
import {
  calculateJwkThumbprint,
  exportJWK,
  importJWK,
  importPKCS8,
  type JWK as JoseJwk,
  SignJWT,
} from 'jose';
import { isHmacAlgorithm, isJwsAlgorithm, type JwsAlgorithm } from './algorithms.js';
import { AuthConfigError } from './auth-config-error.js';
import type { Jwk, JwkSet } from './jwk-policy.js';
import { refuseRenamed } from './renamed.js';

/**
 * Options of {@link createTokenIssuer}.
 *
 * @example
 * ```ts
 * import { type TokenIssuerOptions } from '@milkyway/auth';
 *
 * const options: TokenIssuerOptions = { issuer: 'orders', privateKey: process.env.SERVICE_KEY_PEM!, algorithm: 'ES256' };
 * ```
 */
export interface TokenIssuerOptions {
  /** `iss` of every token: this service's name or URL. */
  issuer: string;
  /** The signing key: a private JWK, a PKCS#8 PEM, or a private CryptoKey (extractable, for `publicJwks`). */
  privateKey: Jwk | string | CryptoKey;
  /** A public-key algorithm (service tokens are never HMAC: the verifier must not hold a signing secret). */
  algorithm: Exclude<JwsAlgorithm, 'HS256' | 'HS384' | 'HS512'>;
  /** Key id. Default: the key's RFC 7638 thumbprint. */
  kid?: string;
  /** Lifetime in seconds, `exp - iat` (1..3600). Default 300. */
  ttlSeconds?: number;
  /** `typ` header. Default `'at+jwt'`. */
  typ?: string;
  /** Clock in epoch ms. Default `Date.now`. */
  clock?: Clock;
}

/**
 * What to put in one token.
 *
 * @example
 * ```ts
 * import { type IssueOptions } from '@milkyway/auth';
 *
 * const request: IssueOptions = { audience: 'catalog', scopes: ['catalog:read'] };
 * ```
 */
export interface IssueOptions {
  /** `aud`: the service being called. */
  audience: string;
  /** `sub` (and `client_id`). Default: the issuer. */
  subject?: string;
  /** Granted scopes (the `scope` claim, space-separated). */
  scopes?: readonly string[];
  /** Extra claims (cannot override iss, sub, aud, iat, exp, jti). */
  claims?: Record<string, unknown>;
  /** Lifetime override in seconds (1..3600). */
  ttlSeconds?: number;
}

/**
 * A signed token and when it expires.
 *
 * @example
 * ```ts
 * import { type TokenIssuer } from '@milkyway/auth';
 *
 * declare const issuer: TokenIssuer;
 *
 * const { token, expiresAt } = await issuer.issue({ audience: 'catalog' });
 * ```
 */
export interface IssuedToken {
  /** The compact JWT. Never log it (see `redactToken`). */
  token: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

/**
 * Issues short-lived service-to-service tokens.
 *
 * @example
 * ```ts
 * import { type TokenIssuer } from '@milkyway/auth';
 *
 * declare const issuer: TokenIssuer;
 *
 * const token = (await issuer.issue({ audience: 'catalog' })).token;
 * ```
 */
export interface TokenIssuer {
  /** The `iss` of issued tokens. */
  readonly issuer: string;
  /** The signing algorithm. */
  readonly algorithm: JwsAlgorithm;
  /** Signs a token for `audience`. */
  issue(options: IssueOptions): Promise<IssuedToken>;
  /** The public key set to publish (or to give a verifier's `jwks` option). */
  publicJwks(): Promise<JwkSet>;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const RESERVED = new Set(['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti']);

function checkTtl(ttl: number): number {
  if (!Number.isFinite(ttl) || ttl < 1 || ttl > 3600)
    throw new AuthConfigError('"ttlSeconds" must be 1..3600');
  return ttl;
}

/**
 * Creates a small issuer of short-lived service tokens (`exp` in minutes, `aud` = the called
 * service, a fresh `jti`), signed with a private key. The called service verifies them with
 * `jwtAuth({ jwks: await issuer.publicJwks(), ... })` or a JWKS URL serving that set.
 *
 * @example
 * ```ts
 * import { createTokenIssuer } from '@milkyway/auth';
 *
 * const issuer = createTokenIssuer({ issuer: 'orders', privateKey: process.env.SERVICE_KEY_PEM!, algorithm: 'ES256' });
 * const { token } = await issuer.issue({ audience: 'catalog', scopes: ['catalog:read'] });
 * ```
 */
export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  const { algorithm, issuer } = options;
  if (!isJwsAlgorithm(algorithm) || isHmacAlgorithm(algorithm)) {
    throw new AuthConfigError(
      'service tokens need a public-key algorithm (ES256, RS256, PS256, EdDSA, ...)',
    );
  }
  if (typeof issuer !== 'string' || issuer.length === 0)
    throw new AuthConfigError('"issuer" is required');
  refuseRenamed(options, { ttl: 'ttlSeconds' }, '');
  const ttl = checkTtl(options.ttlSeconds ?? 300);
  const clock = options.clock ?? Date.now;
  const typ = options.typ ?? 'at+jwt';
  const source = options.privateKey;
  if (
    typeof source === 'object' &&
    !(typeof CryptoKey !== 'undefined' && source instanceof CryptoKey)
  ) {
    if ((source as Jwk).d === undefined)
      throw new AuthConfigError('"privateKey" JWK has no private part');
  }

  const signingKey: Promise<CryptoKey> = (async () => {
    if (typeof source === 'string') return importPKCS8(source, algorithm);
    if (typeof CryptoKey !== 'undefined' && source instanceof CryptoKey) return source;
    return importJWK(source as JoseJwk, algorithm) as Promise<CryptoKey>;
  })();
  signingKey.catch(() => undefined); // surfaced by issue()

  const publicJwk: Promise<Jwk> = (async () => {
    let jwk: Jwk;
    if (typeof source === 'string')
      jwk = createPublicKey(createPrivateKey(source)).export({ format: 'jwk' }) as Jwk;
    else if (typeof CryptoKey !== 'undefined' && source instanceof CryptoKey)
      jwk = (await exportJWK(source)) as Jwk;
    else jwk = { ...(source as Jwk) };
    for (const member of PRIVATE_MEMBERS) delete jwk[member];
    delete jwk.key_ops;
    delete jwk.ext;
    const kid = options.kid ?? (await calculateJwkThumbprint(jwk as JoseJwk));
    return { ...jwk, kid, alg: algorithm, use: 'sig' };
  })();
  publicJwk.catch(() => undefined);

  return {
    issuer,
    algorithm,
    async issue(request: IssueOptions): Promise<IssuedToken> {
      if (typeof request?.audience !== 'string' || request.audience.length === 0) {
        throw new TypeError('"audience" (the called service) is required');
      }
      refuseRenamed(request, { ttl: 'ttlSeconds' }, 'issue: ');
      const lifetime = checkTtl(request.ttlSeconds ?? ttl);
      const [key, { kid }] = await Promise.all([signingKey, publicJwk]);
      const now = Math.floor(clock() / 1000);
      const subject = request.subject ?? issuer;
      const extra = Object.fromEntries(
        Object.entries(request.claims ?? {}).filter(([k]) => !RESERVED.has(k)),
      );
      const payload: Record<string, unknown> = { ...extra, client_id: subject };
      if (request.scopes && request.scopes.length > 0) payload.scope = request.scopes.join(' ');
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: algorithm, typ, kid })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(request.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + lifetime)
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresAt: (now + lifetime) * 1000 };
    },
    async publicJwks(): Promise<JwkSet> {
      return { keys: [await publicJwk] };
    },
  };
}
