import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

export type Alg = 'ES256' | 'RS256';

/** A signing key held by the load process; servers get only the public JWK. */
export interface BenchKey {
  alg: Alg;
  kid: string;
  privateKey: KeyObject;
  /** JSON of the public JWK (with kid, alg, use), for BENCH_<ALG>_JWK. */
  publicJwkJson: string;
}

export function generateKey(alg: Alg): BenchKey {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `bench-${alg.toLowerCase()}`;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwkJson: JSON.stringify(jwk) };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs `count` distinct tokens (distinct `jti` and `sub`), valid for an hour, issuer and
 * audience as the servers expect. node:crypto signs directly (ES256 in IEEE P1363 form).
 */
export function signTokens(key: BenchKey, count: number, offset = 0): string[] {
  const header = b64({ alg: key.alg, typ: 'JWT', kid: key.kid });
  const now = Math.floor(Date.now() / 1000);
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const payload = b64({
      iss: 'https://id.bench.local',
      aud: 'orders',
      sub: `user-${n % 1000}`,
      scope: 'orders:read',
      iat: now,
      exp: now + 3600,
      jti: `t${n}`,
    });
    const input = `${header}.${payload}`;
    const signature = sign(
      'sha256',
      Buffer.from(input),
      key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey,
    );
    out[i] = `${input}.${signature.toString('base64url')}`;
  }
  return out;
}

/** Environment that tells servers the public keys. */
export function keyEnv(...keys: BenchKey[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [`BENCH_${k.alg}_JWK`, k.publicJwkJson]));
}
