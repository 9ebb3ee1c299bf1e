// Verifying tokens must not make Node print a deprecation warning: on Node 24, passing a
// non-extractable CryptoKey to KeyObject.from() is deprecated (DEP0204) and will one day throw.
// CI runs this file on Node 20 and Node 24.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../src/index.js';
import { AUDIENCE, ISSUER, sign, testClock, testKey } from './helpers.js';

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);

beforeEach(() => {
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

/** Lets Node emit the warnings it queued (they are emitted on the next tick). */
const flushWarnings = () => new Promise((resolve) => setImmediate(resolve));

describe('verifying tokens emits no Node deprecation warning', () => {
  it.each(['ES256', 'RS256', 'PS256', 'EdDSA'] as const)('%s from a JWK set', async (alg) => {
    const key = await testKey(alg);
    const verifier = createVerifier({
      jwks: { keys: [key.jwk] },
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: testClock(),
      cache: false,
    });
    await expect(verifier.verify(await sign(key))).resolves.toMatchObject({ subject: 'user-1' });
    await flushWarnings();
    expect(warnings.filter((w) => w.name === 'DeprecationWarning')).toEqual([]);
  });
});
