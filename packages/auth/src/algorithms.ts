/**
 * The JWS algorithms Milkyway's verifier can be configured to accept. `none` is not one of
 * them, in any capitalisation.
 *
 * @example
 * ```ts
 * import type { JwsAlgorithm } from '@milkyway/auth';
 *
 * const algorithms: JwsAlgorithm[] = ['ES256', 'RS256'];
 * ```
 */
export type JwsAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'
  | 'HS256'
  | 'HS384'
  | 'HS512';

/** @internal What a key must look like to verify a given algorithm. */
export interface AlgorithmSpec {
  /** The JWK key type the algorithm needs. */
  kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  /** The curve, for EC and OKP keys. */
  crv?: string;
  /** For HMAC: the minimum secret length in bytes (the hash output size, RFC 7518 §3.2). */
  minSecretBytes?: number;
}

/** @internal */
export const ALGORITHMS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
  HS256: { kty: 'oct', minSecretBytes: 32 },
  HS384: { kty: 'oct', minSecretBytes: 48 },
  HS512: { kty: 'oct', minSecretBytes: 64 },
};

/**
 * @internal True when `alg` is one of the algorithms Milkyway can verify (an exact,
 * case-sensitive match: `none`, `NONE` and `nOnE` are all false).
 */
export function isJwsAlgorithm(alg: unknown): alg is JwsAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg);
}

/** @internal True for the HMAC (shared secret) algorithms HS256, HS384 and HS512. */
export function isHmacAlgorithm(alg: string): boolean {
  return alg === 'HS256' || alg === 'HS384' || alg === 'HS512';
}
