// One configured key (`publicKey` or `secret`) instead of a key set: which `kid`s it answers to.
import { createPublicKey } from 'node:crypto';
import { exportJWK, type JSONWebKeySet, type JWK } from 'jose';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AuthConfigError,
  createVerifier,
  type Jwk,
  type JwkSet,
  UnauthorizedError,
  type VerifierOptions,
} from '../src/index.js';
import { AUDIENCE, ISSUER, sign, testClock, testKey } from './helpers.js';

const key = await testKey('ES256', 'k1');
const pem = createPublicKey({ key: key.jwk as never, format: 'jwk' })
  .export({ type: 'spki', format: 'pem' })
  .toString();
const secret = Buffer.alloc(32, 7);

const options = (overrides: Partial<VerifierOptions>): VerifierOptions => ({
  algorithms: ['ES256'],
  issuer: ISSUER,
  audience: AUDIENCE,
  clock: testClock(),
  cache: false,
  ...overrides,
});

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (UnauthorizedError.is(error)) return error.reason;
    throw error;
  }
}

async function hmacToken(kid: string | undefined): Promise<string> {
  const { SignJWT } = await import('jose');
  const { claims } = await import('./helpers.js');
  return new SignJWT(claims())
    .setProtectedHeader(kid === undefined ? { alg: 'HS256' } : { alg: 'HS256', kid })
    .sign(secret);
}

describe('publicKey given as a JWK with a kid', () => {
  const verifier = createVerifier(options({ publicKey: key.jwk }));

  it('verifies a genuine token that names the key’s kid', async () => {
    expect(await outcome(verifier.verify(await sign(key)))).toBe('accepted');
  });

  it('refuses a token naming another kid as no_key', async () => {
    expect(await outcome(verifier.verify(await sign(key, undefined, { kid: 'k2' })))).toBe(
      'no_key',
    );
  });

  it('verifies a genuine token that names no kid', async () => {
    expect(await outcome(verifier.verify(await sign(key, undefined, { kid: undefined })))).toBe(
      'accepted',
    );
  });

  it('uses the key for any kid when the configuration says kids are ignored', async () => {
    const ignoring = createVerifier(options({ publicKey: key.jwk, ignoreKid: true }));
    expect(await outcome(ignoring.verify(await sign(key, undefined, { kid: 'k2' })))).toBe(
      'accepted',
    );
    expect(await outcome(ignoring.verify(await sign(key)))).toBe('accepted');
  });
});

describe('a single key that carries no kid', () => {
  it('verifies a token naming any kid with a PEM public key (there is no kid to compare)', async () => {
    const verifier = createVerifier(options({ publicKey: pem }));
    expect(await outcome(verifier.verify(await sign(key, undefined, { kid: 'k2' })))).toBe(
      'accepted',
    );
  });

  it('verifies a token naming any kid with a JWK that has no kid', async () => {
    const { kid: _kid, ...anonymous } = key.jwk;
    const verifier = createVerifier(options({ publicKey: anonymous }));
    expect(await outcome(verifier.verify(await sign(key, undefined, { kid: 'k2' })))).toBe(
      'accepted',
    );
  });

  it('verifies HMAC tokens with or without a kid against a secret', async () => {
    const verifier = createVerifier(options({ secret, algorithms: ['HS256'] }));
    expect(await outcome(verifier.verify(await hmacToken('any')))).toBe('accepted');
    expect(await outcome(verifier.verify(await hmacToken(undefined)))).toBe('accepted');
  });
});

describe('ignoreKid', () => {
  it('is refused with a key set, where the kid is how a key is chosen', () => {
    expect(() => createVerifier(options({ jwks: { keys: [key.jwk] }, ignoreKid: true }))).toThrow(
      AuthConfigError,
    );
  });
});

describe("jose's JWK type", () => {
  it('is assignable to Jwk and JwkSet, and such keys verify', async () => {
    expectTypeOf<JWK>().toMatchTypeOf<Jwk>();
    expectTypeOf<JSONWebKeySet>().toMatchTypeOf<JwkSet>();
    const joseJwk: JWK = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'ES256' };
    const set: JSONWebKeySet = { keys: [joseJwk] };
    const fromSet = createVerifier(options({ jwks: set }));
    const fromKey = createVerifier(options({ publicKey: joseJwk }));
    expect(await outcome(fromSet.verify(await sign(key)))).toBe('accepted');
    expect(await outcome(fromKey.verify(await sign(key)))).toBe('accepted');
  });

  it('still refuses, at configuration time, a key without kty', () => {
    const { kty: _kty, ...noType } = key.jwk;
    expect(() => createVerifier(options({ publicKey: noType }))).toThrow(AuthConfigError);
  });
});
