// Where one uncached verification's microseconds go: verifies one token in a loop for a few
// seconds so that a CPU profile of it can be read (the bench README's auth section).
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx src/auth/profile-verify.ts RS256 3
import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createVerifier } from '@milkyway/auth';

type Alg = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';
const alg = (process.argv[2] ?? 'RS256') as Alg;
const seconds = Number(process.argv[3] ?? 3);

function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const { privateKey, publicKey } = keyPair();
const now = Math.floor(Date.now() / 1000);
const input = `${b64({ alg, typ: 'JWT', kid: 'k1' })}.${b64({ iss: 'https://id', aud: 'orders', sub: 'user-1', scope: 'orders:read', iat: now, exp: now + 3600 })}`;
const signKey =
  alg === 'ES256'
    ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
    : alg === 'PS256'
      ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : privateKey;
const token = `${input}.${sign(alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), signKey).toString('base64url')}`;
const verifier = createVerifier({
  jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg, use: 'sig' }] },
  algorithms: [alg],
  issuer: 'https://id',
  audience: 'orders',
  cache: false,
});
const end = Date.now() + seconds * 1000;
let n = 0;
while (Date.now() < end) {
  for (let i = 0; i < 200; i++) await verifier.verify(token);
  n += 200;
}
console.log(`${alg}: ${n} verifications, ${((seconds * 1e6) / n).toFixed(1)} µs each`);
