// The signature check of the public-key algorithms, with node:crypto's synchronous one-shot
// `verify` on the key jose imported and selected (shared/DESIGN.md allows it: measurably faster
// than WebCrypto's asynchronous verify on Node). Everything else about a token — parsing, key
// selection, claims — stays with jose and the verifier.
import { constants, KeyObject, type VerifyKeyObjectInput, verify } from 'node:crypto';
import type { JwsAlgorithm } from './algorithms.js';

type Params = { hash: string | null } & Omit<VerifyKeyObjectInput, 'key'>;

/** What WebCrypto's verify would be told for each algorithm (as jose calls it), for node:crypto. */
const PARAMS: Readonly<Record<Exclude<JwsAlgorithm, 'HS256' | 'HS384' | 'HS512'>, Params>> = {
  RS256: { hash: 'sha256', padding: constants.RSA_PKCS1_PADDING },
  RS384: { hash: 'sha384', padding: constants.RSA_PKCS1_PADDING },
  RS512: { hash: 'sha512', padding: constants.RSA_PKCS1_PADDING },
  // RSA-PSS with the salt as long as the hash, as RFC 7518 §3.5 requires (and jose asks WebCrypto)
  PS256: { hash: 'sha256', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  PS384: { hash: 'sha384', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
  PS512: { hash: 'sha512', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
  // JWS ECDSA signatures are R || S (IEEE P1363), not DER
  ES256: { hash: 'sha256', dsaEncoding: 'ieee-p1363' },
  ES384: { hash: 'sha384', dsaEncoding: 'ieee-p1363' },
  ES512: { hash: 'sha512', dsaEncoding: 'ieee-p1363' },
  EdDSA: { hash: null },
  Ed25519: { hash: null },
};

/** A key converted once: node:crypto's verify input for the one algorithm it was imported for. */
interface Prepared {
  alg: JwsAlgorithm;
  hash: string | null;
  input: VerifyKeyObjectInput;
}

/** One conversion per imported CryptoKey (keys are imported once each, so this is done once). */
const prepared = new WeakMap<CryptoKey, Prepared>();

function prepare(alg: JwsAlgorithm, key: CryptoKey): Prepared | undefined {
  const params = PARAMS[alg as keyof typeof PARAMS];
  if (params === undefined) return undefined;
  const { hash, ...options } = params;
  const entry: Prepared = { alg, hash, input: { ...options, key: KeyObject.from(key) } };
  prepared.set(key, entry);
  return entry;
}

/**
 * @internal True when `signature` is a valid `alg` signature of `signingInput` under `key`
 * (a public-key algorithm; `key` imported by jose for exactly this algorithm). Never throws for
 * a bad signature: a malformed one (wrong length, bad encoding) is simply not valid.
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: CryptoKey,
  signingInput: Uint8Array,
  signature: Uint8Array,
): boolean {
  let entry = prepared.get(key);
  if (entry === undefined || entry.alg !== alg) entry = prepare(alg, key);
  if (entry === undefined) return false;
  try {
    return verify(entry.hash, signingInput, entry.input, signature);
  } catch {
    return false;
  }
}
