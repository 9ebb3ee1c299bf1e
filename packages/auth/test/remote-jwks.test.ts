// Remote JWKS against a real local JWKS server (127.0.0.1, random port) that counts fetches.
// Time moves by faking Date only (jose's cache and cooldown read Date.now); sockets stay real.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importPKCS8 } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthConfigError,
  createVerifier,
  type Jwk,
  KeySetUnavailableError,
  UnauthorizedError,
} from '../src/index.js';
import { AUDIENCE, claims, ISSUER, NOW, sign, signRaw, testKey } from './helpers.js';

let server: Server;
let url = '';
let keys: Jwk[] = [];
let mode: 'ok' | 'fail' | 'hang' = 'ok';
const paths: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    if (mode === 'hang') return; // never answers
    if (mode === 'fail') {
      res.statusCode = 500;
      res.end('down');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const k1 = await testKey('ES256', 'k1');
const k2 = await testKey('ES256', 'k2');
const fetches = () => paths.length;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW * 1000);
  paths.length = 0;
  keys = [k1.jwk];
  mode = 'ok';
});
afterEach(() => {
  vi.useRealTimers();
});

const remote = (extra: Record<string, unknown> = {}) =>
  createVerifier({
    jwksUrl: url,
    algorithms: ['ES256', 'RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    cache: false,
    ...extra,
  });

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (UnauthorizedError.is(error)) return error.reason;
    if (KeySetUnavailableError.is(error)) return 'unavailable';
    throw error;
  }
}

describe('remote JWKS', () => {
  it('fetches the set once for many concurrent first requests', async () => {
    const verifier = remote();
    const token = await sign(k1);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => outcome(verifier.verify(token))),
    );
    expect(results.every((r) => r === 'accepted')).toBe(true);
    expect(fetches()).toBe(1);
  });

  it('picks up a rotated key with one refetch, not one per request', async () => {
    const verifier = remote();
    expect(await outcome(verifier.verify(await sign(k1)))).toBe('accepted');
    keys = [k1.jwk, k2.jwk];
    vi.setSystemTime((NOW + 31) * 1000); // past the 30 s cooldown
    const token = await sign(k2, claims({ iat: NOW + 20, exp: NOW + 900 }));
    const results = await Promise.all(
      Array.from({ length: 20 }, () => outcome(verifier.verify(token))),
    );
    expect(results.every((r) => r === 'accepted')).toBe(true);
    expect(fetches()).toBe(2);
    await verifier.verify(token);
    expect(fetches()).toBe(2);
  });

  it('imports each key once, however many tokens it verifies', async () => {
    const verifier = remote();
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    for (let i = 0; i < 5; i++) await verifier.verify(await sign(k1, claims({ jti: String(i) })));
    expect(importKey).toHaveBeenCalledTimes(1);
    importKey.mockRestore();
  });

  it('does not refetch for unknown kids during the cooldown (kid spraying)', async () => {
    const verifier = remote();
    await verifier.verify(await sign(k1));
    const attacker = await testKey('ES256', 'x');
    for (const kid of ['a', 'b', '../../etc/passwd', "' OR 1=1 --", 'http://127.0.0.1/evil']) {
      expect(
        await outcome(
          verifier.verify(await signRaw({ ...attacker, kid }, { alg: 'ES256', kid }, claims())),
        ),
      ).toBe('no_key');
    }
    expect(fetches()).toBe(1);
    expect(paths.every((p) => p === '/jwks.json')).toBe(true);
  });

  it('refetches once the cache max-age has passed', async () => {
    const verifier = remote({ jwksOptions: { cacheMaxAgeMs: 60_000 } });
    await verifier.verify(await sign(k1));
    vi.setSystemTime((NOW + 61) * 1000);
    await verifier.verify(await sign(k1, claims({ iat: NOW + 60 })));
    expect(fetches()).toBe(2);
  });

  it('answers 503 when the set cannot be fetched in time and no keys are known', async () => {
    mode = 'hang';
    const verifier = remote({ jwksOptions: { timeoutMs: 100 } });
    expect(await outcome(verifier.verify(await sign(k1)))).toBe('unavailable');
  });

  it('answers 503 with Retry-After when the server errors and no keys are known', async () => {
    mode = 'fail';
    const error = await remote()
      .verify(await sign(k1))
      .catch((e: unknown) => e);
    expect(KeySetUnavailableError.is(error)).toBe(true);
    expect((error as KeySetUnavailableError).headers['retry-after']).toBe('30');
  });

  it('keeps verifying with the last good keys while refetches fail, retrying once per cooldown', async () => {
    const verifier = remote({ jwksOptions: { cacheMaxAgeMs: 60_000 } });
    await verifier.verify(await sign(k1));
    mode = 'fail';
    vi.setSystemTime((NOW + 120) * 1000);
    const token = await sign(k1, claims({ iat: NOW + 119 }));
    expect(await outcome(verifier.verify(token))).toBe('accepted');
    expect(await outcome(verifier.verify(token))).toBe('accepted');
    expect(fetches()).toBe(2);
    vi.setSystemTime((NOW + 151) * 1000);
    mode = 'ok';
    expect(await outcome(verifier.verify(token))).toBe('accepted');
    expect(fetches()).toBe(3);
  });

  it('never verifies with served keys marked for encryption, without verify, or weak', async () => {
    const enc = await testKey('ES256', 'enc');
    const ops = await testKey('ES256', 'ops');
    const weak = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    const weakJwk = {
      ...(weak.publicKey.export({ format: 'jwk' }) as Jwk),
      kid: 'weak',
      alg: 'RS256',
    };
    keys = [
      k1.jwk,
      { ...enc.jwk, use: 'enc' },
      { ...ops.jwk, use: undefined, key_ops: ['encrypt'] },
      weakJwk,
    ];
    const warnings: unknown[] = [];
    const verifier = remote({ logger: { debug() {}, warn: (obj: unknown) => warnings.push(obj) } });
    expect(await outcome(verifier.verify(await sign(enc)))).toBe('no_key');
    expect(await outcome(verifier.verify(await sign(ops)))).toBe('no_key');
    const weakPrivate = await importPKCS8(
      weak.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      'RS256',
    );
    const rsaToken = await signRaw(
      { ...k1, privateKey: weakPrivate, alg: 'RS256', kid: 'weak' },
      { alg: 'RS256', kid: 'weak' },
      claims(),
    );
    expect(await outcome(verifier.verify(rsaToken))).toBe('no_key');
    expect(await outcome(verifier.verify(await sign(k1)))).toBe('accepted');
    expect(warnings).toEqual([{ kid: 'weak', reason: 'RSA public exponent below 65537 or even' }]);
  });

  it('refuses a plain-http JWKS URL that is not localhost', () => {
    expect(() => remote({ jwksUrl: 'http://id.example/jwks.json' })).toThrow(AuthConfigError);
  });

  it('refuses HMAC algorithms with a JWKS URL', () => {
    expect(() => remote({ algorithms: ['HS256'] })).toThrow(AuthConfigError);
  });
});
