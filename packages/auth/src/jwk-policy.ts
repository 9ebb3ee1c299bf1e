import { ALGORITHMS, isJwsAlgorithm } from './algorithms.js';
import { isCanonicalBase64url } from './base64url.js';
import { hasRocaFingerprint } from './roca.js';

/**
 * A JSON Web Key as found in a JWKS (RFC 7517). Only the members the verifier reads are typed;
 * jose's `JWK` type (where `kty` is optional) is assignable to it. A key without `kty` is
 * refused when the verifier is configured.
 *
 * @example
 * ```ts
 * import { type Jwk } from '@milkyway/auth';
 * import { exportJWK, generateKeyPair } from 'jose';
 *
 * const literal: Jwk = { kty: 'EC', crv: 'P-256', x: '...', y: '...', kid: 'k1', alg: 'ES256', use: 'sig' };
 * const { publicKey } = await generateKeyPair('ES256');
 * const fromJose: Jwk = await exportJWK(publicKey); // jose's JWK fits as is
 * ```
 */
export interface Jwk {
  /** Key type: `RSA`, `EC`, `OKP` or `oct` (required at run time; optional in jose's type). */
  kty?: string;
  /** Key id, matched against the token's `kid` header. */
  kid?: string;
  /** The one algorithm this key may be used with. */
  alg?: string;
  /** Intended use: only `sig` (or absent) keys verify signatures. */
  use?: string;
  /** Permitted operations: when present, must include `verify`. */
  key_ops?: string[];
  /** Curve (EC, OKP). */
  crv?: string;
  /** Any other member (`n`, `e`, `x`, `y`, `k`, ...). */
  [member: string]: unknown;
}

/**
 * A JSON Web Key Set: `{ keys: [...] }` (jose's `JSONWebKeySet` is assignable to it).
 *
 * @example
 * ```ts
 * import { type Jwk, type JwkSet } from '@milkyway/auth';
 *
 * declare const publicJwk: Jwk;
 *
 * const jwks: JwkSet = { keys: [publicJwk] };
 * ```
 */
export interface JwkSet {
  /** The keys. */
  keys: Jwk[];
}

/** @internal The verdict on one key: usable, skipped (not a signature key) or refused (unsafe). */
export type JwkVerdict =
  | { kind: 'usable'; jwk: Jwk; secretBytes?: number }
  | { kind: 'skipped'; reason: string }
  | { kind: 'refused'; reason: string };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
const MIN_RSA_BITS = 2048;

function decode(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !isCanonicalBase64url(value)) return undefined;
  return Buffer.from(value, 'base64url');
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/**
 * @internal Decides whether one JWK may verify signatures. Keys for encryption (`use: "enc"`,
 * `key_ops` without `verify`, an `alg` that is not a signature algorithm) are skipped; unsafe
 * keys are refused: private key material in a verification set, RSA moduli under 2048 bits,
 * public exponents below 65537 or even, ROCA-vulnerable moduli, HMAC secrets shorter than
 * 256 bits (or than the hash of their `alg`), malformed members.
 */
export function screenJwk(jwk: unknown): JwkVerdict {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    return { kind: 'refused', reason: 'not a JSON object' };
  }
  const key = jwk as Jwk;
  if (typeof key.kty !== 'string') return { kind: 'refused', reason: 'missing "kty"' };
  if (key.kid !== undefined && typeof key.kid !== 'string')
    return { kind: 'refused', reason: '"kid" is not a string' };
  if (key.use !== undefined && key.use !== 'sig')
    return { kind: 'skipped', reason: `"use" is "${String(key.use)}"` };
  if (key.key_ops !== undefined) {
    if (!Array.isArray(key.key_ops) || !key.key_ops.includes('verify')) {
      return { kind: 'skipped', reason: '"key_ops" does not include "verify"' };
    }
  }
  if (key.alg !== undefined) {
    if (!isJwsAlgorithm(key.alg))
      return {
        kind: 'skipped',
        reason: `"alg" ${String(key.alg)} is not a supported signature algorithm`,
      };
    const spec = ALGORITHMS[key.alg];
    if (spec.kty !== key.kty)
      return { kind: 'refused', reason: `"alg" ${key.alg} does not fit "kty" ${key.kty}` };
    if (spec.crv !== undefined && spec.crv !== key.crv) {
      return { kind: 'refused', reason: `"alg" ${key.alg} does not fit curve ${String(key.crv)}` };
    }
  }
  switch (key.kty) {
    case 'RSA': {
      if (PRIVATE_MEMBERS.some((m) => m in key))
        return { kind: 'refused', reason: 'private key material in a verification key' };
      const n = decode(key.n);
      const e = decode(key.e);
      if (!n || !e) return { kind: 'refused', reason: 'malformed RSA "n" or "e"' };
      const modulus = toBigInt(n);
      if (modulus.toString(2).length < MIN_RSA_BITS)
        return { kind: 'refused', reason: `RSA modulus shorter than ${MIN_RSA_BITS} bits` };
      const exponent = toBigInt(e);
      if (exponent < 65537n || exponent % 2n === 0n)
        return { kind: 'refused', reason: 'RSA public exponent below 65537 or even' };
      if (hasRocaFingerprint(modulus))
        return { kind: 'refused', reason: 'RSA modulus has the ROCA fingerprint (CVE-2017-15361)' };
      return { kind: 'usable', jwk: key };
    }
    case 'EC': {
      if (PRIVATE_MEMBERS.some((m) => m in key))
        return { kind: 'refused', reason: 'private key material in a verification key' };
      if (key.crv !== 'P-256' && key.crv !== 'P-384' && key.crv !== 'P-521') {
        return { kind: 'skipped', reason: `unsupported curve ${String(key.crv)}` };
      }
      if (!decode(key.x) || !decode(key.y))
        return { kind: 'refused', reason: 'malformed EC "x" or "y"' };
      return { kind: 'usable', jwk: key };
    }
    case 'OKP': {
      if (PRIVATE_MEMBERS.some((m) => m in key))
        return { kind: 'refused', reason: 'private key material in a verification key' };
      if (key.crv !== 'Ed25519')
        return { kind: 'skipped', reason: `unsupported curve ${String(key.crv)}` };
      if (!decode(key.x)) return { kind: 'refused', reason: 'malformed OKP "x"' };
      return { kind: 'usable', jwk: key };
    }
    case 'oct': {
      const k = decode(key.k);
      if (!k) return { kind: 'refused', reason: 'malformed "k"' };
      const minimum =
        key.alg === undefined ? 32 : (ALGORITHMS[key.alg as 'HS256'].minSecretBytes ?? 32);
      if (k.length < minimum)
        return { kind: 'refused', reason: `HMAC secret shorter than ${minimum * 8} bits` };
      return { kind: 'usable', jwk: key, secretBytes: k.length };
    }
    default:
      return { kind: 'skipped', reason: `unsupported "kty" ${key.kty}` };
  }
}
