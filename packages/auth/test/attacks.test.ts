// RFC 8725 attacks, end to end through jwtAuth (the same verifier code path as everything else).
import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { jwtAuth, type VerifierOptions } from '../src/index.js';
import {
  AUDIENCE,
  app,
  bearer,
  claims,
  hmacRaw,
  ISSUER,
  NOW,
  sign,
  signRaw,
  testClock,
  testKey,
} from './helpers.js';

const rsa = await testKey('RS256', 'rsa-1');
const attacker = await testKey('RS256', 'rsa-1');
const service = app(
  jwtAuth({
    jwks: { keys: [rsa.jwk] },
    algorithms: ['RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    clock: testClock(),
  }),
);

async function expectRefused(token: string) {
  const res = await service.request('/', bearer(token));
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  const body = await res.json();
  expect(body.detail).toBe('invalid credentials');
}

function capitalisations(word: string): string[] {
  let out = [''];
  for (const ch of word) out = out.flatMap((p) => [p + ch.toLowerCase(), p + ch.toUpperCase()]);
  return out;
}

describe('RFC 8725 attacks', () => {
  it('accepts the legitimate token (control)', async () => {
    const res = await service.request('/', bearer(await sign(rsa)));
    expect(res.status).toBe(200);
  });

  it.each(capitalisations('none'))('refuses alg "%s" with and without a signature', async (alg) => {
    const header = Buffer.from(JSON.stringify({ alg, kid: rsa.kid })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims())).toString('base64url');
    await expectRefused(`${header}.${payload}.`);
    await expectRefused(`${header}.${payload}.c2ln`);
  });

  it('refuses an HS256 token whose HMAC secret is the RSA public key (key confusion)', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    for (const secret of [pem, pem.trim(), JSON.stringify(rsa.jwk), rsa.jwk.n as string]) {
      await expectRefused(
        await hmacRaw(new TextEncoder().encode(secret), { alg: 'HS256', kid: rsa.kid }, claims()),
      );
    }
  });

  it.each([
    '../../../../../../etc/passwd',
    '/dev/null',
    "' OR '1'='1",
    'rsa-1; DROP TABLE keys; --',
    'rsa-1\u0000',
    'https://attacker.example/jwks.json',
  ])('refuses an attacker token with kid %j', async (kid) => {
    await expectRefused(await signRaw(attacker, { alg: 'RS256', kid }, claims()));
  });

  it('refuses an expired token', async () => {
    await expectRefused(await sign(rsa, claims({ exp: NOW - 3600, iat: NOW - 7200 })));
  });

  it('refuses a token that is not yet valid', async () => {
    await expectRefused(await sign(rsa, claims({ nbf: NOW + 3600 })));
  });

  it('refuses a token from the wrong issuer', async () => {
    await expectRefused(await sign(rsa, claims({ iss: 'https://evil.example/' })));
  });

  it('refuses a token for the wrong audience', async () => {
    await expectRefused(await sign(rsa, claims({ aud: 'billing' })));
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = (await sign(rsa)).split('.');
    const forged = Buffer.from(
      JSON.stringify(claims({ sub: 'admin', scope: 'everything' })),
    ).toString('base64url');
    await expectRefused(`${h}.${forged}.${s}`);
  });

  it('refuses a stripped signature', async () => {
    const [h, p] = (await sign(rsa)).split('.');
    await expectRefused(`${h}.${p}.`);
    await expectRefused(`${h}.${p}`);
  });

  it('refuses a token signed by the attacker with the same kid', async () => {
    await expectRefused(await sign(attacker));
  });

  describe('key-carrying headers are never followed', () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('{}');
    });
    const ready = new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      ),
    );
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('ignores jwk, jku, x5u and x5c and fetches nothing', async () => {
      const base = await ready;
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const evil = { ...attacker, privateKey, publicKey };
      const { exportJWK } = await import('jose');
      const jwk = await exportJWK(publicKey);
      await expectRefused(await signRaw(evil, { alg: 'RS256', jwk }, claims()));
      await expectRefused(await signRaw(evil, { alg: 'RS256', kid: rsa.kid, jwk }, claims()));
      await expectRefused(
        await signRaw(evil, { alg: 'RS256', jku: `${base}/jwks.json` }, claims()),
      );
      await expectRefused(await signRaw(evil, { alg: 'RS256', x5u: `${base}/cert.pem` }, claims()));
      await expectRefused(await signRaw(evil, { alg: 'RS256', x5c: ['MIIB'] }, claims()));
      expect(hits).toBe(0);
    });
  });
});

// The same attacks against the single-key configurations: one public key given as a JWK (its kid
// honoured), a JWK with ignoreKid, a PEM and a KeyObject (no kid to compare, so any kid reaches
// the key and only the signature and the policy decide).
const rsaKeyObject = createPublicKey({ key: rsa.jwk as never, format: 'jwk' });
const SINGLE_KEYS: Array<[string, Pick<VerifierOptions, 'publicKey' | 'ignoreKid'>]> = [
  ['publicKey JWK', { publicKey: rsa.jwk }],
  ['publicKey JWK with ignoreKid', { publicKey: rsa.jwk, ignoreKid: true }],
  ['publicKey PEM', { publicKey: rsaKeyObject.export({ type: 'spki', format: 'pem' }).toString() }],
  ['publicKey KeyObject', { publicKey: rsaKeyObject }],
];

describe.each(SINGLE_KEYS)('RFC 8725 attacks, single key (%s)', (_label, keyOptions) => {
  const single = app(
    jwtAuth({
      ...keyOptions,
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: testClock(),
    }),
  );
  async function refused(token: string) {
    const res = await single.request('/', bearer(token));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  }

  it('accepts the legitimate token (control)', async () => {
    expect((await single.request('/', bearer(await sign(rsa)))).status).toBe(200);
  });

  it('refuses alg none in every capitalisation, with and without a signature', async () => {
    const payload = Buffer.from(JSON.stringify(claims())).toString('base64url');
    for (const alg of capitalisations('none')) {
      const header = Buffer.from(JSON.stringify({ alg, kid: rsa.kid })).toString('base64url');
      await refused(`${header}.${payload}.`);
      await refused(`${header}.${payload}.c2ln`);
    }
  });

  it('refuses HS256 tokens keyed with the public key (key confusion)', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    for (const secret of [pem, pem.trim(), JSON.stringify(rsa.jwk), rsa.jwk.n as string]) {
      await refused(
        await hmacRaw(new TextEncoder().encode(secret), { alg: 'HS256', kid: rsa.kid }, claims()),
      );
    }
  });

  it('refuses attacker tokens whatever kid they name', async () => {
    for (const kid of [rsa.kid, '../../etc/passwd', 'https://attacker.example/jwks.json']) {
      await refused(await signRaw(attacker, { alg: 'RS256', kid }, claims()));
    }
    await refused(await signRaw(attacker, { alg: 'RS256' }, claims()));
  });

  it('refuses expired, not-yet-valid, wrong-issuer and wrong-audience tokens', async () => {
    await refused(await sign(rsa, claims({ exp: NOW - 3600, iat: NOW - 7200 })));
    await refused(await sign(rsa, claims({ nbf: NOW + 3600 })));
    await refused(await sign(rsa, claims({ iss: 'https://evil.example/' })));
    await refused(await sign(rsa, claims({ aud: 'billing' })));
  });

  it('refuses a tampered payload and a stripped signature', async () => {
    const [h, p, s] = (await sign(rsa)).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url');
    await refused(`${h}.${forged}.${s}`);
    await refused(`${h}.${p}.`);
    await refused(`${h}.${p}`);
  });

  it('ignores embedded jwk, jku, x5u and x5c', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const evil = { ...attacker, privateKey, publicKey };
    const jwk = await exportJWK(publicKey);
    await refused(await signRaw(evil, { alg: 'RS256', jwk }, claims()));
    await refused(await signRaw(evil, { alg: 'RS256', kid: rsa.kid, jwk }, claims()));
    await refused(
      await signRaw(evil, { alg: 'RS256', jku: 'http://127.0.0.1:9/jwks.json' }, claims()),
    );
    await refused(
      await signRaw(evil, { alg: 'RS256', x5u: 'http://127.0.0.1:9/cert.pem' }, claims()),
    );
    await refused(await signRaw(evil, { alg: 'RS256', x5c: ['MIIB'] }, claims()));
  });
});
