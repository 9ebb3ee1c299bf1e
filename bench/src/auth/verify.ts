// One uncached JWT verification per algorithm: Milkyway's verifier (cache off) vs fast-jwt (what
// @fastify/jwt uses) vs node:crypto's signature check alone, same token and key. Each round
// alternates short batches of the three (A B C, B C A, C A B, …, ~20 ms each) and sums each
// side's time, so that a burst of other work on the machine falls on all three sides alike;
// the ratio is per round. Prints the per-call means, each round's ratio, median and spread.
// Issue 18 §3's goal: Milkyway ≤ 1.1x fast-jwt.
//
//   npx tsx bench/src/auth/verify.ts   (5 rounds of ~1.2 s per algorithm; BENCH_ROUNDS=n,
//                                       BENCH_ALGS=ES256,RS256)
import { constants, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { createVerifier } from '@milkyway/auth';
import { createVerifier as fastJwtVerifier } from 'fast-jwt';

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

/** Calls per batch: about 20 ms of work for the algorithm's cost (measured up front). */
async function batchSize(fn: () => unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await fn(); // warm-up: JIT and key preparation
  const start = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) await fn();
  const perCall = Number(process.hrtime.bigint() - start) / 100;
  return Math.max(10, Math.round(20e6 / perCall));
}

/**
 * One round: `batches` batches of each function, their order rotated every batch, each side's
 * time summed. Returns the mean ns per call of each. Every call is awaited (Milkyway's verify
 * returns a promise; awaiting a plain value costs the others the same microtask).
 */
async function round(fns: (() => unknown)[], calls: number, batches: number): Promise<number[]> {
  const total = fns.map(() => 0);
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < fns.length; k++) {
      const i = (b + k) % fns.length;
      const fn = fns[i]!;
      const start = process.hrtime.bigint();
      for (let c = 0; c < calls; c++) await fn();
      total[i]! += Number(process.hrtime.bigint() - start);
    }
  }
  return total.map((t) => t / (calls * batches));
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

  const sides = [
    () => milkyway.verify(jwt),
    () => fast(jwt),
    () => verify(hash, data, cryptoKey, signature),
  ];
  const calls = await batchSize(sides[0]!);
  const ours: number[] = [];
  const theirs: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [o, t, b] = await round(sides, calls, 20);
    ours.push(o!);
    theirs.push(t!);
    bare.push(b!);
  }
  const ratios = ours.map((o, i) => o / theirs[i]!).sort((a, b) => a - b);
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;
  rows.push(
    `| ${alg} | ${us(mid(ours))} | ${us(mid(theirs))} | ${us(mid(bare))} | ${mid(ratios).toFixed(2)}x | ${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)}x |`,
  );
}
console.log(
  `\nOne uncached verification, ${rounds} rounds of 20 alternating batches (Node ${process.versions.node}); per-call mean, median over the rounds\n`,
);
console.log(
  '| alg | Milkyway verify (cache off) | fast-jwt | node:crypto verify alone | Milkyway / fast-jwt | spread |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
