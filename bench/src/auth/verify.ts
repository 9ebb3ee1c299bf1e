// One uncached JWT verification per algorithm: Milkyway's verifier (cache off) vs fast-jwt (what
// @fastify/jwt uses) vs node:crypto's signature check alone, same token and key, interleaved
// rounds so that both sides see the same machine state. Prints medians, each round's ratio and
// their spread. Issue 18 §3's goal: Milkyway ≤ 1.1x fast-jwt.
//
//   npx tsx bench/src/auth/verify.ts            (5 rounds; BENCH_ROUNDS=n, BENCH_ALGS=ES256,RS256)
import { constants, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { createVerifier } from '@milkyway/auth';
import { createVerifier as fastJwtVerifier } from 'fast-jwt';
import { measure } from 'mitata';

type Alg = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';
const ISSUER = 'https://id.bench.local';
const AUDIENCE = 'orders';

function keyPair(alg: Alg): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(alg: Alg, privateKey: KeyObject): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg, typ: 'JWT', kid: 'k1' })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', scope: 'orders:read', iat: now, exp: now + 3600 })}`;
  const hash = alg === 'EdDSA' ? null : 'sha256';
  const key =
    alg === 'ES256'
      ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
      : alg === 'PS256'
        ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : privateKey;
  return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`;
}

async function median(fn: () => unknown): Promise<number> {
  const stats = await measure(fn, {
    min_cpu_time: 400e6,
    min_samples: 12,
    batch_threshold: 5_000,
    max_samples: 1e9,
    warmup_samples: 10,
    gc: false,
  });
  return stats.p50;
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const algs = (process.env.BENCH_ALGS ?? 'ES256,RS256,PS256,EdDSA').split(',') as Alg[];
const rows: string[] = [];
for (const alg of algs) {
  const { privateKey, publicKey } = keyPair(alg);
  const jwt = token(alg, privateKey);
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg, use: 'sig' };
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const milkyway = createVerifier({
    jwks: { keys: [jwk] },
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    cache: false,
  });
  const fast = fastJwtVerifier({
    key: pem,
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    cache: false,
  });
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const cryptoKey =
    alg === 'ES256'
      ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
      : alg === 'PS256'
        ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : publicKey;
  const hash = alg === 'EdDSA' ? null : 'sha256';
  await milkyway.verify(jwt);
  fast(jwt);
  if (!verify(hash, data, cryptoKey, signature)) throw new Error(`${alg}: bad bench token`);

  const ours: number[] = [];
  const theirs: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(await median(() => milkyway.verify(jwt)));
    theirs.push(await median(() => fast(jwt)));
    bare.push(await median(() => verify(hash, data, cryptoKey, signature)));
  }
  const ratios = ours.map((o, i) => o / theirs[i]!).sort((a, b) => a - b);
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;
  rows.push(
    `| ${alg} | ${us(mid(ours))} | ${us(mid(theirs))} | ${us(mid(bare))} | ${mid(ratios).toFixed(2)}x | ${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)}x |`,
  );
}
console.log(
  `\nOne uncached verification, median of ${rounds} interleaved rounds (Node ${process.versions.node})\n`,
);
console.log(
  '| alg | Milkyway verify (cache off) | fast-jwt | node:crypto verify alone | Milkyway / fast-jwt | spread |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
