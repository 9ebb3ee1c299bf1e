import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Logger } from '@milkyway/protocol';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  importJWK,
  type JWK as JoseJwk,
  type JWSHeaderParameters,
} from 'jose';
import { ALGORITHMS, type JwsAlgorithm } from './algorithms.js';
import { AuthConfigError } from './auth-config-error.js';
import type { Jwk, JwkSet } from './jwk-policy.js';
import { screenJwk } from './jwk-policy.js';
import { KeySetUnavailableError } from './key-set-unavailable-error.js';
import { UnauthorizedError } from './unauthorized-error.js';

/** @internal resolves the one key a token may be verified with. */
export interface KeyStore {
  /** 'secret' for HMAC keys, 'public' for public keys. */
  readonly kind: 'secret' | 'public';
  /** The key, or a promise of it (a local key already imported is returned at once). */
  resolve(alg: JwsAlgorithm, header: JWSHeaderParameters): CryptoKey | Promise<CryptoKey>;
}

interface Entry {
  jwk: Jwk;
  kid: string | undefined;
  /**
   * The key answers to a token naming any `kid`: a single configured key that carries no kid
   * (a secret, a PEM, a KeyObject, a JWK without kid), or any single key with `ignoreKid`.
   */
  anyKid: boolean;
  secretBytes: number | undefined;
  imported: Map<string, Promise<CryptoKey>>;
  /** The keys whose import has finished, by algorithm (served without a promise). */
  ready: Map<string, CryptoKey>;
}

const NONE: readonly Entry[] = [];

const HMAC_HASH: Record<string, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

function usable(entry: Entry, alg: JwsAlgorithm): boolean {
  const spec = ALGORITHMS[alg];
  const { jwk } = entry;
  if (jwk.kty !== spec.kty) return false;
  if (spec.crv !== undefined && jwk.crv !== spec.crv) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (spec.minSecretBytes !== undefined && (entry.secretBytes ?? 0) < spec.minSecretBytes)
    return false;
  return true;
}

function importEntry(entry: Entry, alg: JwsAlgorithm): CryptoKey | Promise<CryptoKey> {
  const ready = entry.ready.get(alg);
  if (ready !== undefined) return ready;
  let pending = entry.imported.get(alg);
  if (pending === undefined) {
    if (entry.jwk.kty === 'oct') {
      const bytes = Buffer.from(entry.jwk.k as string, 'base64url');
      pending = crypto.subtle.importKey(
        'raw',
        bytes,
        { name: 'HMAC', hash: HMAC_HASH[alg]! },
        false,
        ['verify'],
      );
    } else {
      const { use: _use, key_ops: _ops, ...members } = entry.jwk;
      // Extractable: a public key is no secret, and node:crypto converts it to a KeyObject (a
      // non-extractable CryptoKey passed to KeyObject.from() is deprecated on Node 24, DEP0204).
      pending = importJWK({ ...(members as JoseJwk), ext: true }, alg) as Promise<CryptoKey>;
    }
    entry.imported.set(alg, pending);
    pending.then(
      (key) => entry.ready.set(alg, key),
      () => undefined, // surfaced to the caller awaiting `pending`
    );
  }
  return pending;
}

/**
 * The one usable key of `pool` for `alg`, given the key `found` so far in an earlier pool; two
 * different usable keys are ambiguous. A key that both carries the kid and answers to any kid is
 * still one key.
 */
function pick(
  pool: readonly Entry[],
  alg: JwsAlgorithm,
  found: Entry | undefined,
): Entry | undefined {
  for (const entry of pool) {
    if (entry === found || !usable(entry, alg)) continue;
    if (found !== undefined) throw UnauthorizedError.invalidToken('ambiguous_key');
    found = entry;
  }
  return found;
}

/** @internal a fixed set of keys (JWKS object, a secret, a public key), imported once each. */
export class LocalKeyStore implements KeyStore {
  readonly kind: 'secret' | 'public';
  readonly #entries: Entry[];
  readonly #byKid = new Map<string, Entry[]>();
  readonly #anyKid: Entry[];

  constructor(entries: Entry[]) {
    if (entries.length === 0)
      throw new AuthConfigError('no usable signature verification key configured');
    const secret = entries.filter((e) => e.jwk.kty === 'oct').length;
    if (secret !== 0 && secret !== entries.length) {
      throw new AuthConfigError(
        'a key set mixes HMAC secrets with public keys: configure them in separate verifiers',
      );
    }
    this.kind = secret === 0 ? 'public' : 'secret';
    this.#entries = entries;
    this.#anyKid = entries.filter((e) => e.anyKid);
    for (const entry of entries) {
      if (entry.kid === undefined) continue;
      const list = this.#byKid.get(entry.kid) ?? [];
      list.push(entry);
      this.#byKid.set(entry.kid, list);
    }
  }

  resolve(alg: JwsAlgorithm, header: JWSHeaderParameters): CryptoKey | Promise<CryptoKey> {
    const kid = header.kid;
    // kid is only ever an exact-match map key: never a path, a URL or a query.
    let found: Entry | undefined;
    if (kid === undefined) found = pick(this.#entries, alg, undefined);
    else found = pick(this.#anyKid, alg, pick(this.#byKid.get(kid) ?? NONE, alg, undefined));
    if (found === undefined) throw UnauthorizedError.invalidToken('no_key');
    const key = importEntry(found, alg);
    if (!(key instanceof Promise)) return key;
    return key.catch((cause: unknown) => {
      throw UnauthorizedError.invalidToken('no_key', cause);
    });
  }
}

function entryFrom(jwk: Jwk, anyKid: boolean, where: string): Entry | undefined {
  const verdict = screenJwk(jwk);
  if (verdict.kind === 'refused')
    throw new AuthConfigError(`${where}: key refused: ${verdict.reason}`);
  if (verdict.kind === 'skipped') return undefined;
  return {
    jwk: verdict.jwk,
    kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
    anyKid,
    secretBytes: verdict.secretBytes,
    imported: new Map(),
    ready: new Map(),
  };
}

/** @internal builds a local store from a JWKS object. */
export function localJwksStore(jwks: JwkSet | Jwk[]): LocalKeyStore {
  const keys = Array.isArray(jwks) ? jwks : jwks?.keys;
  if (!Array.isArray(keys))
    throw new AuthConfigError('"jwks" must be a JSON Web Key Set ({ keys: [...] })');
  const entries: Entry[] = [];
  keys.forEach((jwk, index) => {
    const entry = entryFrom(jwk, false, `jwks.keys[${index}]`);
    if (entry) entries.push(entry);
  });
  return new LocalKeyStore(entries);
}

/** @internal builds a local store from one HMAC secret (>= 256 bits). */
export function secretStore(secret: string | Uint8Array): LocalKeyStore {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < 32) {
    throw new AuthConfigError(
      `HMAC secret is ${bytes.length * 8} bits; at least 256 bits are required`,
    );
  }
  const entry = entryFrom({ kty: 'oct', k: bytes.toString('base64url') }, true, 'secret');
  return new LocalKeyStore([entry!]);
}

/**
 * A public key: PEM (SPKI), a Node `KeyObject`, or a public JWK.
 *
 * @example
 * ```ts
 * import type { PublicKeyInput } from '@milkyway/auth';
 *
 * const key: PublicKeyInput = process.env.JWT_PUBLIC_KEY_PEM!;
 * ```
 */
export type PublicKeyInput = string | KeyObject | Jwk;

/**
 * @internal builds a local store from one public key. A JWK's `kid` is honoured (a token naming
 * another kid finds no key) unless `ignoreKid`; a key without kid answers to any kid.
 */
export function publicKeyStore(key: PublicKeyInput, ignoreKid = false): LocalKeyStore {
  let jwk: Jwk;
  if (typeof key === 'string') {
    if (key.includes('PRIVATE KEY'))
      throw new AuthConfigError('"publicKey" is a private key; pass the public key');
    jwk = createPublicKey(key).export({ format: 'jwk' }) as Jwk;
  } else if (
    typeof (key as KeyObject).export === 'function' &&
    typeof (key as KeyObject).type === 'string'
  ) {
    const object = key as KeyObject;
    if (object.type !== 'public')
      throw new AuthConfigError('"publicKey" must be a public KeyObject');
    jwk = object.export({ format: 'jwk' }) as Jwk;
  } else {
    jwk = key as Jwk;
  }
  if (jwk.kty === 'oct')
    throw new AuthConfigError('"publicKey" is a symmetric key; use "secret" for HMAC');
  const entry = entryFrom(jwk, ignoreKid || typeof jwk.kid !== 'string', 'publicKey');
  if (!entry) throw new AuthConfigError('"publicKey" is not usable to verify signatures');
  return new LocalKeyStore([entry]);
}

/**
 * Options of the remote JWKS (durations in milliseconds).
 *
 * @example
 * ```ts
 * import type { RemoteJwksOptions } from '@milkyway/auth';
 *
 * const jwksOptions: RemoteJwksOptions = { timeoutMs: 2_000, cacheMaxAgeMs: 300_000, cooldownMs: 30_000 };
 * ```
 */
export interface RemoteJwksOptions {
  /** Fetch timeout. Default 5000. */
  timeoutMs?: number;
  /** How long a fetched set is used before it is refetched. Default 600000 (10 min). */
  cacheMaxAgeMs?: number;
  /**
   * Minimum time between two fetches triggered by unknown `kid`s (and between retries after a
   * failed fetch). Default 30000.
   */
  cooldownMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Fetch implementation (tests, proxies). Default: global fetch. */
  fetch?: typeof fetch;
}

type RemoteSet = ReturnType<typeof createRemoteJWKSet>;
type LocalSet = ReturnType<typeof createLocalJWKSet>;

function mapJwksError(error: unknown): Error | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_JWKS_NO_MATCHING_KEY') return UnauthorizedError.invalidToken('no_key', error);
  if (code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS')
    return UnauthorizedError.invalidToken('ambiguous_key', error);
  if (code === 'ERR_JOSE_NOT_SUPPORTED') return UnauthorizedError.invalidToken('algorithm', error);
  return undefined;
}

/**
 * @internal A remote JWKS through jose's `createRemoteJWKSet` (fetch timeout, cache max-age,
 * cooldown, one shared refetch for an unknown kid, keys imported once). Every fetched set is
 * screened before jose sees it; when a refetch fails, the last good keys keep verifying.
 */
export class RemoteKeyStore implements KeyStore {
  readonly kind = 'public' as const;
  readonly #remote: RemoteSet;
  readonly #cooldown: number;
  #failedAt = Number.NEGATIVE_INFINITY;
  #stale: LocalSet | undefined;

  constructor(url: string | URL, options: RemoteJwksOptions = {}, logger?: Logger) {
    const fetchImpl = options.fetch ?? fetch;
    this.#cooldown = options.cooldownMs ?? 30_000;
    const screeningFetch = async (input: string, init: RequestInit): Promise<Response> => {
      const response = await fetchImpl(input, init);
      if (response.status !== 200) return response;
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        return new Response('{}', { status: 200 });
      }
      const keys = (body as { keys?: unknown })?.keys;
      if (!Array.isArray(keys)) return new Response('{}', { status: 200 });
      const kept: Jwk[] = [];
      for (const jwk of keys) {
        const verdict = screenJwk(jwk);
        if (verdict.kind === 'usable' && verdict.jwk.kty !== 'oct') kept.push(verdict.jwk);
        else if (verdict.kind !== 'skipped') {
          logger?.warn(
            {
              kid: (jwk as Jwk)?.kid,
              reason: verdict.kind === 'refused' ? verdict.reason : 'symmetric key in a JWKS',
            },
            'JWKS key refused',
          );
        }
      }
      return new Response(JSON.stringify({ keys: kept }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    let href: URL;
    try {
      href = new URL(url);
    } catch {
      throw new AuthConfigError('"jwksUrl" is not a valid URL');
    }
    if (
      href.protocol !== 'https:' &&
      href.hostname !== '127.0.0.1' &&
      href.hostname !== 'localhost' &&
      href.hostname !== '[::1]'
    ) {
      throw new AuthConfigError(
        '"jwksUrl" must use https (plain http is only allowed for localhost)',
      );
    }
    this.#remote = createRemoteJWKSet(href, {
      timeoutDuration: options.timeoutMs ?? 5_000,
      cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
      cooldownDuration: this.#cooldown,
      headers: options.headers,
      [customFetch]: screeningFetch,
    });
  }

  async resolve(_alg: JwsAlgorithm, header: JWSHeaderParameters): Promise<CryptoKey> {
    if (this.#stale !== undefined && Date.now() - this.#failedAt < this.#cooldown) {
      return this.#fromStale(this.#stale, header);
    }
    try {
      const key = await this.#remote(header);
      this.#stale = undefined;
      return key as CryptoKey;
    } catch (error) {
      const mapped = mapJwksError(error);
      if (mapped) throw mapped;
      // The fetch failed (timeout, network, non-200, malformed): keep using the last good set.
      this.#failedAt = Date.now();
      const snapshot = this.#remote.jwks();
      if (snapshot === undefined) throw new KeySetUnavailableError(this.#cooldown / 1000, error);
      this.#stale ??= createLocalJWKSet(snapshot);
      return this.#fromStale(this.#stale, header);
    }
  }

  async #fromStale(stale: LocalSet, header: JWSHeaderParameters): Promise<CryptoKey> {
    try {
      return (await stale(header)) as CryptoKey;
    } catch (error) {
      throw mapJwksError(error) ?? new KeySetUnavailableError(this.#cooldown / 1000, error);
    }
  }
}
