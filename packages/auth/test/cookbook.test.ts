// RFC 7520 (JOSE cookbook) JWS examples and RFC 8037 Ed25519 through the verifier jwtAuth uses.
// Bearer tokens are compact JWS, so:
// - examples with a compact form verify as they are;
// - JSON-only examples whose signature covers a protected header are verified in compact form
//   (protected.payload.signature: the unprotected header is not signed, so dropping it changes
//   nothing the signature covers);
// - signatures with no protected header at all (4.7, and 4.8's ES512 signature) are out of scope:
//   a compact JWS cannot carry them, and an unprotected "alg" is refused by design (RFC 8725);
//   the tests below assert that this really is their shape;
// - detached content (4.5) verifies once the payload is re-attached.
// The cookbook keys are private JWKs; the verifier is given their public part (private members
// in a verification key set are refused).
import { createHmac, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readVector, vectorsDir } from '../../../test-support/vectors.js';
import {
  createVerifier,
  type Jwk,
  type JwsAlgorithm,
  UnauthorizedError,
  type VerifierOptions,
} from '../src/index.js';

interface Example {
  title: string;
  input: { payload: string; key: Jwk | Jwk[]; alg: string | string[] };
  signing: Signing | Signing[];
  output: {
    compact?: string;
    json?: { payload: string; signatures: Array<{ protected?: string; signature: string }> };
  };
}
interface Signing {
  protected?: Record<string, unknown>;
  protected_b64u?: string;
  'sig-input': string;
  sig: string;
}

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
const publicPart = (jwk: Jwk): Jwk =>
  Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE.includes(k))) as Jwk;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function verifierFor(key: Jwk, alg: string) {
  return createVerifier({
    jwks: { keys: [publicPart(key)] },
    algorithms: [alg as JwsAlgorithm],
    issuer: false,
    audience: false,
    cache: false,
  });
}

async function verifiesTo(key: Jwk, alg: string, compact: string, payload: string) {
  const result = await verifierFor(key, alg).verifyJws(compact);
  expect(new TextDecoder().decode(result.payload)).toBe(payload);
}

const dir = vectorsDir();
const read = (name: string) => readVector<Example>(dir!, `jose-cookbook/${name}`);

describe.runIf(dir !== undefined)('JOSE cookbook (RFC 7520) JWS examples', () => {
  it.each([
    '4_1.rsa_v15_signature.json',
    '4_2.rsa-pss_signature.json',
    '4_3.ecdsa_signature.json',
    '4_4.hmac-sha2_integrity_protection.json',
  ])('%s verifies in compact form', async (name) => {
    const ex = read(`jws/${name}`);
    await verifiesTo(
      ex.input.key as Jwk,
      ex.input.alg as string,
      ex.output.compact!,
      ex.input.payload,
    );
  });

  it('4.5 (detached content) is refused detached and verifies with the payload re-attached', async () => {
    const ex = read('jws/4_5.signature_with_detached_content.json');
    const [h, empty, s] = ex.output.compact!.split('.');
    expect(empty).toBe('');
    await expect(
      verifierFor(ex.input.key as Jwk, 'HS256').verifyJws(ex.output.compact!),
    ).rejects.toSatisfy((error) => UnauthorizedError.is(error));
    await verifiesTo(
      ex.input.key as Jwk,
      'HS256',
      `${h}.${b64(ex.input.payload)}.${s}`,
      ex.input.payload,
    );
  });

  it('4.6 (kid in the unprotected header) verifies in compact form without it', async () => {
    const ex = read('jws/4_6.protecting_specific_header_fields.json');
    const [signature] = ex.output.json!.signatures;
    await verifiesTo(
      ex.input.key as Jwk,
      'HS256',
      `${signature!.protected}.${ex.output.json!.payload}.${signature!.signature}`,
      ex.input.payload,
    );
  });

  it('4.7 (protects content only) has no protected header, so no compact form exists', () => {
    const ex = read('jws/4_7.protecting_content_only.json');
    expect((ex.signing as Signing).protected).toBeUndefined();
    expect(ex.output.compact).toBeUndefined();
  });

  it('4.8 (multiple signatures) verifies each signature that has a protected header', async () => {
    const ex = read('jws/4_8.multiple_signatures.json');
    const keys = ex.input.key as Jwk[];
    const algs = ex.input.alg as string[];
    const { payload, signatures } = ex.output.json!;
    let verified = 0;
    for (const [i, signature] of signatures.entries()) {
      if (signature.protected === undefined) {
        expect(algs[i]).toBe('ES512'); // alg only in the unprotected header: out of scope
        continue;
      }
      await verifiesTo(
        keys[i]!,
        algs[i]!,
        `${signature.protected}.${payload}.${signature.signature}`,
        ex.input.payload,
      );
      verified++;
    }
    expect(verified).toBe(2);
  });

  it('RFC 8037 Ed25519 example verifies', async () => {
    const ex = read('curve25519/jws.json');
    await verifiesTo(ex.input.key as Jwk, 'EdDSA', ex.output.compact!, ex.input.payload);
  });
});

describe.runIf(dir !== undefined)('RFC 7797 (b64) examples', () => {
  it('4.2: b64:false without crit is refused', async () => {
    const ex = read('rfc7797/4.2.hmac-sha2_b64_false.json');
    const signing = ex.signing as Signing;
    const key = ex.input.key as Jwk;
    const header = JSON.parse(Buffer.from(signing.protected_b64u!, 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', b64: false }); // no crit, whatever "protected" claims
    const secret = Buffer.from(key.k as string, 'base64url');
    // The vector is genuinely signed over the unencoded payload...
    expect(createHmac('sha256', secret).update(signing['sig-input']).digest('base64url')).toBe(
      signing.sig,
    );
    // ...and a compact token with that very header is refused.
    const input = `${signing.protected_b64u}.${b64(ex.input.payload)}`;
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const error = await verifierFor(key, 'HS256')
      .verifyJws(token)
      .catch((e: unknown) => e);
    expect(UnauthorizedError.is(error) && error.reason).toBe('crit');
  });

  it('b64:false with crit is refused too (bearer tokens are JWTs, which never use it)', async () => {
    const ex = read('rfc7797/hmac-sha2_b64_false.json');
    await expect(
      verifierFor(ex.input.key as Jwk, 'HS256').verifyJws(ex.output.compact!),
    ).rejects.toSatisfy((error) => UnauthorizedError.is(error));
  });
});

// The same examples through the single-key configurations (one key instead of a key set): a
// public key as a JWK (its kid honoured), as a PEM and as a KeyObject; an HMAC key as `secret`.
type SingleKey = (key: Jwk) => Pick<VerifierOptions, 'publicKey' | 'secret'>;
const PUBLIC_SINGLE_KEYS: Array<[string, SingleKey]> = [
  ['publicKey JWK', (key) => ({ publicKey: publicPart(key) })],
  [
    'publicKey PEM',
    (key) => ({
      publicKey: createPublicKey({ key: publicPart(key) as never, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    }),
  ],
  [
    'publicKey KeyObject',
    (key) => ({ publicKey: createPublicKey({ key: publicPart(key) as never, format: 'jwk' }) }),
  ],
];
const SECRET_SINGLE_KEY: SingleKey = (key) => ({
  secret: Buffer.from(key.k as string, 'base64url'),
});

function singleKeyVerifier(configure: SingleKey, key: Jwk, alg: string) {
  return createVerifier({
    ...configure(key),
    algorithms: [alg as JwsAlgorithm],
    issuer: false,
    audience: false,
    cache: false,
  });
}

describe.runIf(dir !== undefined)(
  'JOSE cookbook examples through single-key configurations',
  () => {
    const publicCases: Array<[string, string, SingleKey]> = [];
    for (const name of [
      '4_1.rsa_v15_signature.json',
      '4_2.rsa-pss_signature.json',
      '4_3.ecdsa_signature.json',
      'curve25519',
    ]) {
      for (const [label, configure] of PUBLIC_SINGLE_KEYS)
        publicCases.push([name, label, configure]);
    }

    it.each(publicCases)('%s verifies with %s', async (name, _label, configure) => {
      const ex = read(name === 'curve25519' ? 'curve25519/jws.json' : `jws/${name}`);
      const key = ex.input.key as Jwk;
      const alg = name === 'curve25519' ? 'EdDSA' : (ex.input.alg as string);
      const result = await singleKeyVerifier(configure, key, alg).verifyJws(ex.output.compact!);
      expect(new TextDecoder().decode(result.payload)).toBe(ex.input.payload);
    });

    it('4.4 (HMAC) verifies with the secret', async () => {
      const ex = read('jws/4_4.hmac-sha2_integrity_protection.json');
      const result = await singleKeyVerifier(
        SECRET_SINGLE_KEY,
        ex.input.key as Jwk,
        'HS256',
      ).verifyJws(ex.output.compact!);
      expect(new TextDecoder().decode(result.payload)).toBe(ex.input.payload);
    });

    it('4.5 (detached content) is refused detached and verifies re-attached with the secret', async () => {
      const ex = read('jws/4_5.signature_with_detached_content.json');
      const verifier = singleKeyVerifier(SECRET_SINGLE_KEY, ex.input.key as Jwk, 'HS256');
      const [h, , s] = ex.output.compact!.split('.');
      await expect(verifier.verifyJws(ex.output.compact!)).rejects.toSatisfy((error) =>
        UnauthorizedError.is(error),
      );
      const result = await verifier.verifyJws(`${h}.${b64(ex.input.payload)}.${s}`);
      expect(new TextDecoder().decode(result.payload)).toBe(ex.input.payload);
    });

    it('RFC 7797 b64:false is refused with the secret, with or without crit', async () => {
      const ex = read('rfc7797/4.2.hmac-sha2_b64_false.json');
      const signing = ex.signing as Signing;
      const key = ex.input.key as Jwk;
      const secret = Buffer.from(key.k as string, 'base64url');
      const input = `${signing.protected_b64u}.${b64(ex.input.payload)}`;
      const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      const verifier = singleKeyVerifier(SECRET_SINGLE_KEY, key, 'HS256');
      const error = await verifier.verifyJws(token).catch((e: unknown) => e);
      expect(UnauthorizedError.is(error) && error.reason).toBe('crit');
      const withCrit = read('rfc7797/hmac-sha2_b64_false.json');
      await expect(verifier.verifyJws(withCrit.output.compact!)).rejects.toSatisfy((e) =>
        UnauthorizedError.is(e),
      );
    });
  },
);
