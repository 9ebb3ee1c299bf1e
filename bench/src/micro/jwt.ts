// Where §2's time goes: the cost of verifying one JWT, uncached, with each library.
import { verify as cryptoVerify } from 'node:crypto';
import { createVerifier } from '@milkyway/auth';
import { createVerifier as fastJwtVerifier } from 'fast-jwt';
import { importJWK, jwtVerify } from 'jose';
import { type Alg, generateKey, signTokens } from '../lib/tokens.js';
import { timeIt } from './measure.js';
import type { MicroCase, MicroOptions, MicroResult } from './types.js';

const ISSUER = 'https://id.bench.local';
const AUDIENCE = 'orders';

export async function run(opts: MicroOptions): Promise<MicroResult> {
  const cases: MicroCase[] = [];
  for (const alg of ['ES256', 'RS256'] as Alg[]) {
    const key = generateKey(alg);
    const jwk = JSON.parse(key.publicJwkJson);
    const token = signTokens(key, 1)[0]!;
    const pem = (await import('node:crypto'))
      .createPublicKey({ key: jwk, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();

    const mw = createVerifier({
      jwks: [jwk],
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      cache: false,
    });
    const mwCached = createVerifier({
      jwks: [jwk],
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    await mw.verify(token);
    await mwCached.verify(token);
    cases.push(
      await timeIt(
        `${alg} Milkyway createVerifier().verify, cache off`,
        () => mw.verify(token),
        opts,
      ),
    );
    cases.push(
      await timeIt(
        `${alg} Milkyway createVerifier().verify, cache hit`,
        () => mwCached.verify(token),
        opts,
      ),
    );

    const cryptoKey = await importJWK(jwk, alg);
    const joseOpts = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
    await jwtVerify(token, cryptoKey, joseOpts);
    cases.push(
      await timeIt(
        `${alg} jose jwtVerify (imported key)`,
        () => jwtVerify(token, cryptoKey, joseOpts),
        opts,
      ),
    );

    const fast = fastJwtVerifier({
      key: pem,
      algorithms: [alg],
      allowedIss: ISSUER,
      allowedAud: AUDIENCE,
    });
    fast(token);
    cases.push(
      await timeIt(
        `${alg} fast-jwt verifier (what @fastify/jwt uses), no cache`,
        () => fast(token),
        opts,
      ),
    );

    const [h, p, s] = token.split('.');
    const data = Buffer.from(`${h}.${p}`);
    const sig = Buffer.from(s!, 'base64url');
    const pub = (await import('node:crypto')).createPublicKey({ key: jwk, format: 'jwk' });
    const sigOpts = alg === 'ES256' ? { key: pub, dsaEncoding: 'ieee-p1363' as const } : pub;
    cases.push(
      await timeIt(
        `${alg} node:crypto verify of the signature alone`,
        () => cryptoVerify('sha256', data, sigOpts, sig),
        opts,
      ),
    );
  }
  return { cases };
}
