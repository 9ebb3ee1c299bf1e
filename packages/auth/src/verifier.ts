import type { Clock, Logger } from '@milkyway/protocol';
import { compactVerify, decodeProtectedHeader, type JWSHeaderParameters } from 'jose';
import { isHmacAlgorithm, isJwsAlgorithm, type JwsAlgorithm } from './algorithms.js';
import { AuthConfigError } from './auth-config-error.js';
import { isCanonicalBase64url } from './base64url.js';
import { type ClaimRules, checkClaims, normalizeTyp } from './claims.js';
import { ProtectedHeaders } from './header-cache.js';
import type { Jwk, JwkSet } from './jwk-policy.js';
import { KeySetUnavailableError } from './key-set-unavailable-error.js';
import {
  type KeyStore,
  localJwksStore,
  type PublicKeyInput,
  publicKeyStore,
  type RemoteJwksOptions,
  RemoteKeyStore,
  secretStore,
} from './key-store.js';
import { type Principal, rolesFromClaims, scopesFromClaims } from './principal.js';
import { refuseRenamed } from './renamed.js';
import { verifySignature } from './signature.js';
import type { ClaimsSchema } from './standard-schema.js';
import { authInstruments, recordFailure } from './telemetry.js';
import { TokenCache, type TokenCacheOptions } from './token-cache.js';
import { type AuthFailureReason, UnauthorizedError } from './unauthorized-error.js';

/**
 * Options of {@link createVerifier} (and of `jwtAuth`). Exactly one key source: `jwksUrl`,
 * `jwks`, `publicKey` or `secret`.
 *
 * @example
 * ```ts
 * import { type VerifierOptions } from '@milkyway/auth';
 *
 * const options: VerifierOptions = {
 *   jwksUrl: 'https://id.example/.well-known/jwks.json',
 *   algorithms: ['RS256'],
 *   issuer: 'https://id.example/',
 *   audience: 'catalog',
 * };
 * ```
 */
export interface VerifierOptions<TClaims = Record<string, unknown>> {
  /** Allowed algorithms (required; all HMAC or all public-key, never both; never `none`). */
  algorithms: readonly JwsAlgorithm[];
  /** Expected `iss` (one or several), or `false` to turn the check off explicitly. */
  issuer: string | readonly string[] | false;
  /** Expected `aud` (the token must name one of them), or `false` to turn the check off. */
  audience: string | readonly string[] | false;
  /** Remote JWKS URL (https; http only for localhost). */
  jwksUrl?: string | URL;
  /** Remote JWKS fetch options (timeout, cache max-age, cooldown; milliseconds). */
  jwksOptions?: RemoteJwksOptions;
  /** A local JWKS (public keys, or HMAC `oct` keys; never both). */
  jwks?: JwkSet | Jwk[];
  /**
   * One public key: PEM (SPKI), Node KeyObject or public JWK. A JWK with a `kid` verifies only
   * tokens that name that kid (or none): a token naming another kid is refused (`no_key`)
   * unless `ignoreKid` is set. A key without kid (PEM, KeyObject, JWK without `kid`) has nothing
   * to compare, so it is used whatever kid the token names.
   */
  publicKey?: PublicKeyInput;
  /** One HMAC secret (at least 256 bits, else refused at configuration time); any kid. */
  secret?: string | Uint8Array;
  /**
   * With `publicKey`: use the key whatever `kid` the token names, even when the JWK carries
   * another one. Default `false`. Refused with `jwks` / `jwksUrl`, where the kid picks the key.
   */
  ignoreKid?: boolean;
  /** Clock skew allowed on exp / nbf / iat, in seconds (like the claims). Default 30 (0..300). */
  clockToleranceSeconds?: number;
  /** Refuse tokens whose `iat` is older than this many seconds (requires `iat`). */
  maxTokenAgeSeconds?: number;
  /** Required `typ` header (e.g. `'at+jwt'` for RFC 9068 access tokens). Default: not checked. */
  typ?: string | readonly string[];
  /** Claims that must be present (beyond `exp`, which always is). */
  requiredClaims?: readonly string[];
  /** Tokens longer than this are refused before parsing. Default 8192. */
  maxTokenLength?: number;
  /** Schema (zod or any Standard Schema) the claims must satisfy; types `principal.claims`. */
  claims?: ClaimsSchema<TClaims>;
  /** Reads the subject. Default: the `sub` claim (required, a non-empty string). */
  subject?: (claims: Record<string, unknown>) => string | undefined;
  /** Reads scopes. Default: {@link scopesFromClaims} (`scope` string and `scp`). */
  scopes?: (claims: Record<string, unknown>) => string[];
  /** Reads roles. Default: {@link rolesFromClaims} (`roles`). */
  roles?: (claims: Record<string, unknown>) => string[];
  /**
   * Verified-token cache, or `false` to verify every request. Default
   * `{ maxEntries: 10000, maxTtlSeconds: 300 }`.
   */
  cache?: TokenCacheOptions | false;
  /** Clock in epoch milliseconds (tests). Default `Date.now`. */
  clock?: Clock;
  /** Logger for refused JWKS keys and failures (tokens are never logged). */
  logger?: Logger;
}

/**
 * A verified JWS: the header and the raw payload bytes.
 *
 * @example
 * ```ts
 * import { type Verifier } from '@milkyway/auth';
 *
 * declare const token: string;
 * declare const verifier: Verifier;
 *
 * const { header, payload } = await verifier.verifyJws(token);
 * ```
 */
export interface VerifiedJws {
  /** The protected header. */
  header: JWSHeaderParameters;
  /** The payload bytes (for a JWT: UTF-8 JSON claims). */
  payload: Uint8Array;
}

/**
 * Framework-free token verification: the code path `jwtAuth` runs on every request.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@milkyway/auth';
 *
 * declare const token: string;
 * declare const pem: string;
 *
 * const verifier = createVerifier({ publicKey: pem, algorithms: ['ES256'], issuer: 'https://id.example/', audience: 'api' });
 * const principal = await verifier.verify(token);
 * ```
 */
export interface Verifier<TClaims = Record<string, unknown>> {
  /**
   * Verifies a JWT (JWS checks, then claims) and returns its principal; throws
   * `UnauthorizedError` (401) or `KeySetUnavailableError` (503).
   */
  verify(token: string): Promise<Principal<TClaims>>;
  /** The JWS stage alone (length, canonical encoding, header policy, key, signature). */
  verifyJws(token: string): Promise<VerifiedJws>;
  /** The longest token accepted. */
  readonly maxTokenLength: number;
  /** Drops every cached verification (e.g. after a key compromise). */
  clearCache(): void;
}

function invalid(reason: AuthFailureReason, cause?: unknown): never {
  throw UnauthorizedError.invalidToken(reason, cause);
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function mapJoseError(error: unknown): Error {
  if (UnauthorizedError.is(error) || KeySetUnavailableError.is(error)) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return UnauthorizedError.invalidToken('signature', error);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return UnauthorizedError.invalidToken('algorithm', error);
    case 'ERR_JWS_INVALID':
      return UnauthorizedError.invalidToken('header', error);
    case 'ERR_JOSE_NOT_SUPPORTED': // an unrecognised crit extension
      return UnauthorizedError.invalidToken('crit', error);
    default:
      return UnauthorizedError.invalidToken('malformed', error);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

// Metric attributes, built once (the API copies what it keeps).
const SUCCESS = Object.freeze({ 'milkyway.auth.result': 'success', 'milkyway.auth.method': 'jwt' });
const CACHE_HIT = Object.freeze({ 'milkyway.cache.result': 'hit' });
const CACHE_MISS = Object.freeze({ 'milkyway.cache.result': 'miss' });

/** A JWS whose signature checked out: the protected header and the payload bytes. */
interface CheckedJws {
  header: JWSHeaderParameters;
  payload: Uint8Array;
}

/** A verified token's principal and its `exp` (seconds). */
interface Verified<TClaims> {
  principal: Principal<TClaims>;
  exp: number;
}

/**
 * The `crit` rules jose applies to a compact JWS (RFC 7515 §4.1.11), for the path where the
 * signature is checked without jose: only `b64` is a recognised extension (and the verifier then
 * refuses `b64` itself); a malformed list or a listed parameter that is absent is `header`.
 */
function checkCrit(header: Record<string, unknown>): void {
  const crit = header.crit;
  if (crit === undefined) return;
  if (
    !Array.isArray(crit) ||
    crit.length === 0 ||
    crit.some((name) => typeof name !== 'string' || name.length === 0)
  ) {
    invalid('header');
  }
  for (const name of crit as string[]) {
    if (name !== 'b64') invalid('crit');
    if (!Object.hasOwn(header, name) || header[name] === undefined) invalid('header');
  }
  if (typeof header.b64 !== 'boolean') invalid('header');
}

function keyStoreFrom(options: VerifierOptions<unknown>): KeyStore {
  const sources = (['jwksUrl', 'jwks', 'publicKey', 'secret'] as const).filter(
    (k) => options[k] !== undefined,
  );
  if (sources.length !== 1) {
    throw new AuthConfigError(
      'configure exactly one key source: "jwksUrl", "jwks", "publicKey" or "secret"',
    );
  }
  if (
    options.ignoreKid === true &&
    options.publicKey === undefined &&
    options.secret === undefined
  ) {
    throw new AuthConfigError(
      '"ignoreKid" applies to a single "publicKey" or "secret"; in a key set the kid chooses the key',
    );
  }
  if (options.jwksUrl !== undefined)
    return new RemoteKeyStore(options.jwksUrl, options.jwksOptions, options.logger);
  if (options.jwks !== undefined) return localJwksStore(options.jwks);
  if (options.publicKey !== undefined)
    return publicKeyStore(options.publicKey, options.ignoreKid === true);
  return secretStore(options.secret!);
}

/**
 * Creates a token verifier with safe defaults: an algorithm allow-list (required), issuer and
 * audience checks (required unless set to `false`), `exp` required, future `iat` refused,
 * 30 s clock tolerance, an 8 KiB size cap before parsing, canonical base64url segments only,
 * `jku` / `x5u` / `jwk` / `x5c` headers never followed, unknown `crit` and `b64` refused, JWKS
 * keys screened (no `enc` keys, RSA e >= 65537 and >= 2048 bits, no ROCA moduli, HMAC secrets
 * >= 256 bits), and a verified-token cache.
 *
 * @example
 * ```ts
 * import { UnauthorizedError } from '@milkyway/auth';
 * import { createVerifier } from '@milkyway/auth';
 *
 * declare const token: string;
 *
 * const verifier = createVerifier({
 *   jwksUrl: 'https://id.example/.well-known/jwks.json',
 *   algorithms: ['RS256', 'ES256'],
 *   issuer: 'https://id.example/',
 *   audience: 'catalog',
 * });
 * const principal = await verifier.verify(token); // throws UnauthorizedError (401) when refused
 * ```
 */
export function createVerifier<TClaims = Record<string, unknown>>(
  options: VerifierOptions<TClaims>,
): Verifier<TClaims> {
  if (typeof options !== 'object' || options === null)
    throw new AuthConfigError('options are required');
  const algorithms = options.algorithms;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new AuthConfigError(
      '"algorithms" is required: list the algorithms your tokens are signed with',
    );
  }
  for (const alg of algorithms) {
    if (!isJwsAlgorithm(alg))
      throw new AuthConfigError(`algorithm ${JSON.stringify(alg)} is not allowed`);
  }
  const hmac = algorithms.filter(isHmacAlgorithm).length;
  if (hmac !== 0 && hmac !== algorithms.length) {
    throw new AuthConfigError('do not mix HMAC (HS*) and public-key algorithms in one verifier');
  }
  if (options.issuer === undefined) {
    throw new AuthConfigError(
      '"issuer" is required (or false to turn the issuer check off explicitly)',
    );
  }
  if (options.audience === undefined) {
    throw new AuthConfigError(
      '"audience" is required (or false to turn the audience check off explicitly)',
    );
  }
  refuseRenamed(
    options,
    { clockTolerance: 'clockToleranceSeconds', maxTokenAge: 'maxTokenAgeSeconds' },
    '',
  );
  refuseRenamed(
    options.cache || undefined,
    { max: 'maxEntries', maxSize: 'maxTotalChars', maxTtl: 'maxTtlSeconds' },
    'cache.',
  );
  refuseRenamed(
    options.jwksOptions,
    { timeoutDuration: 'timeoutMs', cacheMaxAge: 'cacheMaxAgeMs', cooldownDuration: 'cooldownMs' },
    'jwksOptions.',
  );
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new AuthConfigError('"clockToleranceSeconds" must be between 0 and 300');
  }
  const maxTokenLength = options.maxTokenLength ?? 8192;
  const keys = keyStoreFrom(options as VerifierOptions<unknown>);
  if ((keys.kind === 'secret') !== (hmac !== 0)) {
    throw new AuthConfigError(
      keys.kind === 'secret'
        ? 'HMAC keys need HMAC algorithms (HS256, HS384, HS512)'
        : 'HMAC algorithms are never used with public keys (that is the RS/HS key-confusion attack)',
    );
  }
  const allowed = new Set<string>(algorithms);
  const rules: ClaimRules = {
    issuers: options.issuer === false ? false : list(options.issuer),
    audiences: options.audience === false ? false : list(options.audience),
    clockToleranceSeconds: clockTolerance,
    maxTokenAgeSeconds: options.maxTokenAgeSeconds,
    typ: options.typ === undefined ? undefined : list(options.typ).map(normalizeTyp),
    requiredClaims: options.requiredClaims ?? [],
  };
  const clock = options.clock ?? Date.now;
  const readSubject = options.subject ?? ((claims) => claims.sub as string | undefined);
  const readScopes = options.scopes ?? scopesFromClaims;
  const readRoles = options.roles ?? rolesFromClaims;
  const schema = options.claims;
  const cache =
    options.cache === false
      ? undefined
      : new TokenCache<Principal<TClaims>>(options.cache ?? {}, clock);
  const headers = new ProtectedHeaders();

  const resolveKey = (header: JWSHeaderParameters): CryptoKey | Promise<CryptoKey> => {
    // Only the protected header reaches here (compact serialization has no other).
    const alg = header.alg;
    if (typeof alg !== 'string' || !allowed.has(alg)) invalid('algorithm');
    if ('b64' in header) invalid('crit'); // RFC 7797 payloads are never JWTs; b64 without crit is an attack
    if (header.kid !== undefined && typeof header.kid !== 'string') invalid('header');
    // jku, x5u, jwk and x5c are deliberately ignored: keys only come from the configuration.
    return keys.resolve(alg as JwsAlgorithm, header);
  };

  /** The JWS stage; synchronous for a public key already imported, a promise otherwise. */
  function checkJws(token: string): CheckedJws | Promise<CheckedJws> {
    if (typeof token !== 'string' || token.length === 0) invalid('malformed');
    if (token.length > maxTokenLength) invalid('too_long');
    const first = token.indexOf('.');
    const second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) !== -1) invalid('malformed');
    if (first === 0) invalid('malformed');
    if (second === token.length - 1) invalid('signature'); // stripped signature
    if (
      !isCanonicalBase64url(token, 0, first) ||
      !isCanonicalBase64url(token, first + 1, second) ||
      !isCanonicalBase64url(token, second + 1)
    ) {
      invalid('not_canonical');
    }
    if (keys.kind === 'secret') return checkHmac(token);
    // Public keys: jose parses the header and selects and imports the key, with the checks of
    // its compactVerify in the same order; node:crypto's one-shot verify checks the signature.
    // A header segment seen on a verified token before is not parsed again (still checked).
    const segment = token.slice(0, first);
    let header = headers.get(segment);
    const unseen = header === undefined ? segment : undefined;
    if (header === undefined) {
      try {
        // strict UTF-8, a JSON object
        header = deepFreeze(decodeProtectedHeader(token) as JWSHeaderParameters);
      } catch (cause) {
        invalid('header', cause);
      }
    }
    checkCrit(header);
    const alg = header.alg;
    if (typeof alg !== 'string' || alg.length === 0) invalid('header');
    let resolved: CryptoKey | Promise<CryptoKey>;
    try {
      resolved = resolveKey(header); // a local key already imported: no promise
    } catch (error) {
      throw mapJoseError(error);
    }
    if (resolved instanceof Promise) {
      const known = header;
      return resolved.then(
        (key) => checkSignature(token, first, second, known, unseen, alg as JwsAlgorithm, key),
        (error: unknown) => {
          throw mapJoseError(error);
        },
      );
    }
    return checkSignature(token, first, second, header, unseen, alg as JwsAlgorithm, resolved);
  }

  /** `unseen`: the header segment, to remember once the signature holds (else undefined). */
  function checkSignature(
    token: string,
    first: number,
    second: number,
    header: Readonly<JWSHeaderParameters>,
    unseen: string | undefined,
    alg: JwsAlgorithm,
    key: CryptoKey,
  ): CheckedJws {
    const signingInput = Buffer.from(token.slice(0, second), 'latin1'); // ASCII: checked above
    const signature = Buffer.from(token.slice(second + 1), 'base64url');
    if (!verifySignature(alg, key, signingInput, signature)) invalid('signature');
    if (unseen !== undefined) headers.remember(unseen, header);
    return { header, payload: Buffer.from(token.slice(first + 1, second), 'base64url') };
  }

  async function checkHmac(token: string): Promise<CheckedJws> {
    // HMAC: jose end to end.
    let result: Awaited<ReturnType<typeof compactVerify>>;
    try {
      result = await compactVerify(token, resolveKey, { algorithms: algorithms as string[] });
    } catch (error) {
      throw mapJoseError(error);
    }
    return { header: result.protectedHeader, payload: result.payload };
  }

  async function verifyJws(token: string): Promise<VerifiedJws> {
    const checked = checkJws(token);
    const { header, payload } = checked instanceof Promise ? await checked : checked;
    return {
      // A copy: the verifier's own header object is frozen and shared by tokens that carry it.
      header: structuredClone(header) as JWSHeaderParameters,
      payload: payload instanceof Buffer ? new Uint8Array(payload) : payload,
    };
  }

  /** Claims and principal of a verified JWS (synchronous unless a claims schema is async). */
  function principalOf(jws: CheckedJws): Verified<TClaims> | Promise<Verified<TClaims>> {
    const { header, payload } = jws;
    let claims: unknown;
    try {
      claims = JSON.parse(decoder.decode(payload));
    } catch (cause) {
      invalid('payload', cause);
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) invalid('payload');
    const record = claims as Record<string, unknown>;
    checkClaims(record, header, rules, clock() / 1000);
    const subject = readSubject(record);
    if (typeof subject !== 'string' || subject.length === 0) invalid('subject');
    if (schema === undefined) return principalFrom(record, subject, record);
    return validated(record, subject);
  }

  async function validated(
    record: Record<string, unknown>,
    subject: string,
  ): Promise<Verified<TClaims>> {
    const outcome = await schema!['~standard'].validate(record);
    if (outcome.issues !== undefined) invalid('claims');
    return principalFrom(record, subject, outcome.value);
  }

  function principalFrom(
    record: Record<string, unknown>,
    subject: string,
    parsed: unknown,
  ): Verified<TClaims> {
    const principal: Principal<TClaims> = deepFreeze({
      subject,
      scopes: readScopes(record),
      roles: readRoles(record),
      claims: parsed as TClaims,
      type: 'jwt' as const,
    });
    return { principal, exp: record.exp as number };
  }

  function verifyUncached(token: string): Verified<TClaims> | Promise<Verified<TClaims>> {
    const checked = checkJws(token);
    return checked instanceof Promise ? checked.then(principalOf) : principalOf(checked);
  }

  async function verify(token: string): Promise<Principal<TClaims>> {
    const telemetry = authInstruments();
    if (cache !== undefined) {
      const hit = typeof token === 'string' ? cache.get(token) : undefined;
      telemetry.tokenCache.add(1, hit === undefined ? CACHE_MISS : CACHE_HIT);
      if (hit !== undefined) {
        telemetry.verifications.add(1, SUCCESS);
        return hit;
      }
    }
    try {
      const result = verifyUncached(token);
      const { principal, exp } = result instanceof Promise ? await result : result;
      cache?.set(token, principal, exp);
      telemetry.verifications.add(1, SUCCESS);
      return principal;
    } catch (error) {
      const reason = UnauthorizedError.is(error) ? error.reason : 'key_unavailable';
      recordFailure('jwt', reason);
      options.logger?.debug({ reason }, 'bearer token refused');
      throw error;
    }
  }

  return {
    verify,
    verifyJws,
    maxTokenLength,
    clearCache: () => cache?.clear(),
  };
}
