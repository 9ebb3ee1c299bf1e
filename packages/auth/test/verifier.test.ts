import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { compactVerify, exportJWK, generateSecret, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  AuthConfigError,
  createVerifier,
  UnauthorizedError,
  type VerifierOptions,
} from '../src/index.js';
import { verifySignature } from '../src/signature.js';
import {
  AUDIENCE,
  claims,
  ISSUER,
  NOW,
  reason,
  sign,
  signRaw,
  testClock,
  testKey,
} from './helpers.js';

// Counts the public-key signature checks (node:crypto's one-shot verify, src/signature.ts).
vi.mock('../src/signature.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/signature.js')>();
  return { ...original, verifySignature: vi.fn(original.verifySignature) };
});
const signatureChecks = vi.mocked(verifySignature);

const key = await testKey('ES256');
const base = (overrides: Partial<VerifierOptions> = {}): VerifierOptions => ({
  jwks: { keys: [key.jwk] },
  algorithms: ['ES256'],
  issuer: ISSUER,
  audience: AUDIENCE,
  clock: testClock(),
  ...overrides,
});

describe('configuration', () => {
  it('requires an algorithms allow-list', () => {
    expect(() => createVerifier({ ...base(), algorithms: undefined as never })).toThrow(
      AuthConfigError,
    );
    expect(() => createVerifier({ ...base(), algorithms: [] })).toThrow(/algorithms/);
  });

  it('refuses "none" in any capitalisation in the allow-list', () => {
    for (const alg of ['none', 'None', 'NONE']) {
      expect(() => createVerifier({ ...base(), algorithms: [alg as never] })).toThrow(
        AuthConfigError,
      );
    }
  });

  it('refuses HMAC algorithms next to public-key algorithms', () => {
    expect(() => createVerifier({ ...base(), algorithms: ['ES256', 'HS256'] })).toThrow(/mix HMAC/);
  });

  it('refuses HMAC algorithms with a public key (RS/HS key confusion)', () => {
    expect(() => createVerifier({ ...base(), algorithms: ['HS256'] })).toThrow(
      /never used with public keys/,
    );
  });

  it('requires issuer and audience unless explicitly turned off', () => {
    expect(() => createVerifier({ ...base(), issuer: undefined as never })).toThrow(/issuer/);
    expect(() => createVerifier({ ...base(), audience: undefined as never })).toThrow(/audience/);
    expect(() => createVerifier({ ...base(), issuer: false, audience: false })).not.toThrow();
  });

  it('refuses HMAC secrets shorter than 256 bits at configuration time', () => {
    const options = {
      algorithms: ['HS256'] as const,
      issuer: false as const,
      audience: false as const,
    };
    expect(() =>
      createVerifier({ ...options, algorithms: ['HS256'], secret: 'x'.repeat(31) }),
    ).toThrow(/256 bits/);
    expect(() =>
      createVerifier({ ...options, algorithms: ['HS256'], secret: 'x'.repeat(32) }),
    ).not.toThrow();
  });

  it('refuses RSA keys with a public exponent below 65537', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    expect(() =>
      createVerifier({ ...base({ jwks: undefined }), algorithms: ['RS256'], publicKey }),
    ).toThrow(/exponent/);
  });

  it('refuses RSA keys shorter than 2048 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() =>
      createVerifier({ ...base({ jwks: undefined }), algorithms: ['RS256'], publicKey }),
    ).toThrow(/2048/);
  });

  it('refuses private key material in a verification key set', async () => {
    const jwk = await exportJWK(key.privateKey);
    expect(() => createVerifier(base({ jwks: { keys: [{ ...jwk, kty: 'EC' }] } }))).toThrow(
      /private key/,
    );
  });

  it('refuses a key set mixing HMAC secrets and public keys', () => {
    const secret = { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url') };
    expect(() => createVerifier(base({ jwks: { keys: [key.jwk, secret] } }))).toThrow(/mixes HMAC/);
  });

  it('keeps the default clock tolerance at or under 60 s and lets it be configured', async () => {
    const clock = testClock();
    const token = await sign(key, claims({ exp: NOW - 31 }));
    expect(await reason(createVerifier(base({ clock })).verify(token))).toBe('expired');
    const within = await sign(key, claims({ exp: NOW - 29 }));
    expect(await reason(createVerifier(base({ clock })).verify(within))).toBe('accepted');
    expect(
      await reason(createVerifier(base({ clock, clockToleranceSeconds: 0 })).verify(within)),
    ).toBe('expired');
    expect(() => createVerifier(base({ clockToleranceSeconds: 3600 }))).toThrow(
      /clockToleranceSeconds/,
    );
  });
});

describe('token checks', () => {
  it('accepts a valid token and builds the principal', async () => {
    const principal = await createVerifier(base()).verify(
      await sign(key, claims({ roles: ['admin'] })),
    );
    expect(principal).toMatchObject({
      subject: 'user-1',
      scopes: ['catalog:read'],
      roles: ['admin'],
      type: 'jwt',
    });
    expect(Object.isFrozen(principal)).toBe(true);
  });

  it('requires exp', async () => {
    const { exp: _exp, ...rest } = claims();
    expect(await reason(createVerifier(base()).verify(await sign(key, rest)))).toBe(
      'missing_claim',
    );
  });

  it('rejects an iat in the future beyond the clock tolerance', async () => {
    const verifier = createVerifier(base());
    expect(await reason(verifier.verify(await sign(key, claims({ iat: NOW + 31 }))))).toBe(
      'issued_in_future',
    );
    expect(await reason(verifier.verify(await sign(key, claims({ iat: NOW + 29 }))))).toBe(
      'accepted',
    );
  });

  it('rejects tokens older than maxTokenAgeSeconds when set', async () => {
    const verifier = createVerifier(base({ maxTokenAgeSeconds: 60 }));
    expect(await reason(verifier.verify(await sign(key, claims({ iat: NOW - 120 }))))).toBe(
      'too_old',
    );
  });

  it('checks typ when asked (at+jwt, with or without application/)', async () => {
    const verifier = createVerifier(base({ typ: 'at+jwt' }));
    expect(await reason(verifier.verify(await sign(key, claims(), { typ: 'at+jwt' })))).toBe(
      'accepted',
    );
    expect(
      await reason(verifier.verify(await sign(key, claims(), { typ: 'application/at+JWT' }))),
    ).toBe('accepted');
    expect(await reason(verifier.verify(await sign(key, claims(), { typ: 'JWT' })))).toBe('type');
    expect(await reason(verifier.verify(await sign(key, claims())))).toBe('type');
  });

  it('accepts an audience array naming the expected audience', async () => {
    const token = await sign(key, claims({ aud: ['other', AUDIENCE] }));
    expect(await reason(createVerifier(base()).verify(token))).toBe('accepted');
  });

  it('requires a subject', async () => {
    const { sub: _sub, ...rest } = claims();
    expect(await reason(createVerifier(base()).verify(await sign(key, rest)))).toBe('subject');
  });

  it('refuses tokens longer than the cap before parsing them', async () => {
    const verifier = createVerifier(base());
    signatureChecks.mockClear();
    const big = `${'a'.repeat(8193)}`;
    expect(await reason(verifier.verify(big))).toBe('too_long');
    const padded = await sign(key, claims({ pad: 'x'.repeat(9000) }));
    expect(await reason(verifier.verify(padded))).toBe('too_long');
    expect(signatureChecks).not.toHaveBeenCalled();
  });

  it('refuses whitespace and "=" padding inside segments', async () => {
    const token = await sign(key);
    const [h, p, s] = token.split('.');
    const verifier = createVerifier(base());
    expect(await reason(verifier.verify(`${h} .${p}.${s}`))).toBe('not_canonical');
    expect(await reason(verifier.verify(`${h}.${p}\n.${s}`))).toBe('not_canonical');
    expect(await reason(verifier.verify(`${h}=.${p}.${s}`))).toBe('not_canonical');
  });

  it('refuses non-canonical trailing bits that jose alone would accept', async () => {
    // An ES256 signature is 64 bytes: 86 chars, the last carrying 4 unused bits.
    const token = await sign(key);
    const [h, p, s] = token.split('.') as [string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1)!);
    const variant = `${h}.${p}.${s.slice(0, -1)}${alphabet[last | 1]}`;
    expect(variant).not.toBe(token);
    await expect(compactVerify(variant, key.publicKey)).resolves.toBeDefined();
    expect(await reason(createVerifier(base()).verify(variant))).toBe('not_canonical');
  });

  it('refuses unknown crit extensions', async () => {
    const verifier = createVerifier(base());
    const token = await signRaw(
      key,
      { alg: 'ES256', kid: key.kid, crit: ['x-policy'], 'x-policy': 1 },
      claims(),
    );
    expect(await reason(verifier.verify(token))).toBe('crit');
  });

  it('refuses b64:false without crit (RFC 7797) and b64 with it (never a JWT)', async () => {
    const verifier = createVerifier(base());
    const bare = await signRaw(key, { alg: 'ES256', kid: key.kid, b64: false }, claims());
    expect(await reason(verifier.verify(bare))).toBe('crit');
    const declared = await signRaw(
      key,
      { alg: 'ES256', kid: key.kid, b64: false, crit: ['b64'] },
      claims(),
    );
    expect(await reason(verifier.verify(declared))).toBe('crit');
  });

  it('parses claims with a zod schema and types them', async () => {
    const verifier = createVerifier({
      ...base(),
      claims: z.object({ tenant: z.string(), sub: z.string() }),
    });
    const principal = await verifier.verify(await sign(key, claims({ tenant: 't1' })));
    const tenant: string = principal.claims.tenant;
    expect(tenant).toBe('t1');
    expect(await reason(verifier.verify(await sign(key, claims())))).toBe('claims');
  });

  it('reads scopes from a space-separated scope, an scp array and an scp string', async () => {
    const verifier = createVerifier(base());
    const one = await verifier.verify(await sign(key, claims({ scope: 'a b' })));
    const two = await verifier.verify(
      await sign(key, claims({ scope: undefined, scp: ['c', 'd'] })),
    );
    const three = await verifier.verify(await sign(key, claims({ scope: undefined, scp: 'e f' })));
    expect([one.scopes, two.scopes, three.scopes]).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
  });

  it('treats two usable keys for the same kid as ambiguous and refuses', async () => {
    const twin = await testKey('ES256', key.kid);
    const verifier = createVerifier(base({ jwks: { keys: [key.jwk, twin.jwk] } }));
    expect(await reason(verifier.verify(await sign(key)))).toBe('ambiguous_key');
  });

  it('never uses keys marked use "enc" or whose key_ops lack "verify"', async () => {
    const other = (await testKey('ES256', 'other')).jwk;
    const enc = createVerifier(base({ jwks: { keys: [{ ...key.jwk, use: 'enc' }, other] } }));
    expect(await reason(enc.verify(await sign(key)))).toBe('no_key');
    const ops = createVerifier(
      base({ jwks: { keys: [{ ...key.jwk, use: undefined, key_ops: ['encrypt'] }, other] } }),
    );
    expect(await reason(ops.verify(await sign(key)))).toBe('no_key');
  });

  it('imports a local key once, however many tokens it verifies', async () => {
    const verifier = createVerifier(base({ cache: false }));
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    for (let i = 0; i < 5; i++) await verifier.verify(await sign(key, claims({ jti: String(i) })));
    expect(importKey).toHaveBeenCalledTimes(1);
    importKey.mockRestore();
  });

  it('verifies HMAC tokens with a long enough secret', async () => {
    const secret = (await generateSecret('HS256', { extractable: true })) as CryptoKey;
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', secret));
    const verifier = createVerifier({
      secret: raw,
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: testClock(),
    });
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(raw);
    expect((await verifier.verify(token)).subject).toBe('user-1');
  });
});

describe('verified-token cache', () => {
  it('skips signature verification for a repeated token', async () => {
    const verifier = createVerifier(base());
    const token = await sign(key);
    signatureChecks.mockClear();
    await verifier.verify(token);
    await verifier.verify(token);
    await verifier.verify(token);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it('never serves a cached token past its exp', async () => {
    const clock = testClock();
    const verifier = createVerifier(base({ clock, clockToleranceSeconds: 0 }));
    const token = await sign(key, claims({ exp: NOW + 60 }));
    await verifier.verify(token);
    clock.advance(61_000);
    expect(await reason(verifier.verify(token))).toBe('expired');
  });

  it('still applies the clock tolerance after exp (by verifying again, not from the cache)', async () => {
    const clock = testClock();
    const verifier = createVerifier(base({ clock, clockToleranceSeconds: 30 }));
    const token = await sign(key, claims({ exp: NOW + 60 }));
    await verifier.verify(token);
    signatureChecks.mockClear();
    clock.advance(75_000); // past exp, within tolerance
    expect(await reason(verifier.verify(token))).toBe('accepted');
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    clock.advance(20_000); // past exp + tolerance
    expect(await reason(verifier.verify(token))).toBe('expired');
  });

  it('caches only successful verifications', async () => {
    const verifier = createVerifier(base());
    const bad = await sign(key, claims({ aud: 'someone-else' }));
    signatureChecks.mockClear();
    await reason(verifier.verify(bad));
    await reason(verifier.verify(bad));
    expect(signatureChecks).toHaveBeenCalledTimes(2);
  });

  it('reuses a result no longer than maxTtlSeconds', async () => {
    const clock = testClock();
    const verifier = createVerifier(base({ clock, cache: { maxTtlSeconds: 10 } }));
    const token = await sign(key);
    await verifier.verify(token);
    signatureChecks.mockClear();
    clock.advance(11_000);
    await verifier.verify(token);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it('stays within its size bound', async () => {
    const verifier = createVerifier(base({ cache: { maxEntries: 2 } }));
    const tokens = await Promise.all([1, 2, 3].map((i) => sign(key, claims({ jti: String(i) }))));
    for (const token of tokens) await verifier.verify(token);
    signatureChecks.mockClear();
    await verifier.verify(tokens[0]!); // evicted (least recently used)
    await verifier.verify(tokens[2]!); // still cached
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it('keeps genuine entries through a flood of distinct forged and refused tokens', async () => {
    const verifier = createVerifier(base({ cache: { maxEntries: 3 } }));
    const genuine = await Promise.all([1, 2, 3].map((i) => sign(key, claims({ jti: `g${i}` }))));
    const cached = [];
    for (const token of genuine) cached.push(await verifier.verify(token));
    const attacker = await testKey('ES256', key.kid); // same kid, another key
    const makers: Array<(n: number) => Promise<string>> = [
      (n) => sign(attacker, claims({ jti: `f${n}` })), // forged signature
      (n) => sign(key, claims({ jti: `a${n}`, aud: 'someone-else' })), // genuine, wrong audience
      (n) => sign(key, claims({ jti: `e${n}`, exp: NOW - 600, iat: NOW - 900 })), // expired
    ];
    const flood = makers.flatMap((make) => Array.from({ length: 100 }, (_, n) => () => make(n)));
    const reasons = new Set<string>();
    for (const next of flood) reasons.add(await reason(verifier.verify(await next())));
    expect([...reasons].sort()).toEqual(['audience', 'expired', 'signature']);
    signatureChecks.mockClear();
    for (const [i, token] of genuine.entries()) {
      expect(await verifier.verify(token)).toBe(cached[i]); // the cached principal itself
    }
    expect(signatureChecks).not.toHaveBeenCalled();
  });

  it('keeps hot genuine entries under churn: forged tokens interleaved with genuine traffic', async () => {
    // Room for 4 entries: 2 hot tokens reused on every turn, plus fresh genuine tokens (which may
    // evict each other, least recently used first) and a stream of distinct refused tokens.
    const verifier = createVerifier(base({ cache: { maxEntries: 4 } }));
    const hot = await Promise.all([1, 2].map((i) => sign(key, claims({ jti: `hot${i}` }))));
    const principals = [];
    for (const token of hot) principals.push(await verifier.verify(token));
    const attacker = await testKey('ES256', key.kid);
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url');
    let freshVerified = 0;
    let checksOnRefused = 0;
    for (let turn = 0; turn < 60; turn++) {
      const refused = [
        await sign(attacker, claims({ jti: `forged${turn}` })), // bad signature
        await sign(key, claims({ jti: `aud${turn}`, aud: 'someone-else' })), // wrong audience
        `${header}.${Buffer.from(JSON.stringify(claims({ jti: `none${turn}` }))).toString('base64url')}.`,
      ];
      signatureChecks.mockClear();
      for (const token of refused)
        expect(await reason(verifier.verify(token))).not.toBe('accepted');
      checksOnRefused += signatureChecks.mock.calls.length;
      if (turn % 5 === 0) {
        // a new genuine token (verified, cached; it may evict older fresh ones, never the hot ones)
        expect(
          await reason(verifier.verify(await sign(key, claims({ jti: `fresh${turn}` })))),
        ).toBe('accepted');
        freshVerified++;
      }
      signatureChecks.mockClear();
      for (const [i, token] of hot.entries())
        expect(await verifier.verify(token)).toBe(principals[i]);
      expect(signatureChecks).not.toHaveBeenCalled(); // served from the cache on every turn
    }
    expect(freshVerified).toBe(12);
    expect(checksOnRefused).toBe(120); // forged and wrong-audience reached the check; none did not
    // Refused tokens were never cached: asking again verifies again.
    const again = await sign(attacker, claims({ jti: 'forged0' }));
    signatureChecks.mockClear();
    await reason(verifier.verify(again));
    await reason(verifier.verify(again));
    expect(signatureChecks).toHaveBeenCalledTimes(2);
  });

  it('can be turned off', async () => {
    const verifier = createVerifier(base({ cache: false }));
    const token = await sign(key);
    signatureChecks.mockClear();
    await verifier.verify(token);
    await verifier.verify(token);
    expect(signatureChecks).toHaveBeenCalledTimes(2);
  });
});

describe('arbitrary input', () => {
  it('refuses any string with a 401, never another error', async () => {
    const verifier = createVerifier(base());
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_.=\s-]{0,300}$/)),
        async (input) => {
          const error = await verifier.verify(input).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(UnauthorizedError.is(error)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses every one-character change to a valid token', async () => {
    const verifier = createVerifier(base({ cache: false }));
    const token = await sign(key);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_. =';
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 1), fc.constantFrom(...alphabet), async (at, ch) => {
        fc.pre(token[at] !== ch);
        const mutated = token.slice(0, at) + ch + token.slice(at + 1);
        const error = await verifier.verify(mutated).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(UnauthorizedError.is(error)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
