// Wycheproof JWS and JWK vectors through the same verifier jwtAuth uses (createVerifier →
// verifyJws: size cap, canonical base64url, header policy, key policy, jose signature check).
// The payloads are not JWTs (e.g. "foo"), so the JWS stage is driven directly; claims checks
// come after it on the same path and are covered by the attack tests.
//
// Verdicts: "valid" must verify, "invalid" must be refused (a configuration-time refusal of the
// key counts: such a key never verifies anything). "acceptable" (none in the current files)
// may go either way: the test only requires that verification settles without crashing.
import { describe, expect, it } from 'vitest';
import { readVector, vectorsDir } from '../../../test-support/vectors.js';
import { ALGORITHMS, type JwsAlgorithm } from '../src/algorithms.js';
import { createVerifier, type Jwk, type JwkSet } from '../src/index.js';

interface Case {
  tcId: number;
  comment: string;
  jws: unknown;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}
interface Group {
  public?: Jwk | JwkSet;
  private?: Jwk | JwkSet;
  tests: Case[];
}

const HMAC: JwsAlgorithm[] = ['HS256', 'HS384', 'HS512'];
const PUBLIC = (Object.keys(ALGORITHMS) as JwsAlgorithm[]).filter((a) => !HMAC.includes(a));

/** Runs one token through a verifier built for the given keys; true when it verifies. */
async function accepts(keys: JwkSet, jws: unknown): Promise<boolean> {
  const symmetric = keys.keys.every((k) => k.kty === 'oct');
  let verifier: ReturnType<typeof createVerifier>;
  try {
    verifier = createVerifier({
      jwks: keys,
      algorithms: symmetric ? HMAC : PUBLIC,
      issuer: false,
      audience: false,
      cache: false,
    });
  } catch {
    return false; // key refused at configuration time
  }
  try {
    await verifier.verifyJws(jws as string);
    return true;
  } catch {
    return false;
  }
}

function keySet(group: Group): JwkSet {
  const key = group.public ?? group.private!;
  return 'keys' in key ? (key as JwkSet) : { keys: [key as Jwk] };
}

// Known errors in the data itself (shared/vectors/MANIFEST.md), each given the verdict the data
// should have had, and checked for that instead:
const CORRECTED: Record<number, { verdict: 'valid' | 'invalid'; why: string }> = {
  367: { verdict: 'valid', why: 'byte-identical to the valid tcId 357 but marked invalid' },
  370: { verdict: 'valid', why: 'byte-identical to the valid tcId 357 but marked invalid' },
  372: {
    verdict: 'invalid',
    why: "a '?' inserted into the header is not base64url, yet marked valid",
  },
  373: {
    verdict: 'invalid',
    why: "a '?' inserted into the payload is not base64url, yet marked valid",
  },
};
// Groups whose key says alg "ES521" (an unregistered name; ES512 is meant): a key may only be used
// with the algorithm it names, so these are refused and checked separately with alg corrected.
const isEs521Group = (group: Group) => (group.public as Jwk | undefined)?.alg === 'ES521';
// Where our verdict deliberately differs from the data (not listed in the MANIFEST): tcIds 346
// and 350 (RFC 7520 Figure 20) are PS384 tokens checked against a key whose "alg" says PS256.
// RFC 8725 §3.1: a key is used with exactly one algorithm, so we refuse; with the key's alg
// corrected to PS384 the token verifies (asserted below).
const ALG_MISMATCH = new Set([346, 350]);

const dir = vectorsDir();

describe.runIf(dir !== undefined)('Wycheproof json_web_signature_test.json', () => {
  const file = dir
    ? readVector<{ testGroups: Group[] }>(dir, 'wycheproof/json_web_signature_test.json')
    : { testGroups: [] };
  const cases = file.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));

  it('has the 401 cases the manifest lists', () => {
    expect(cases.length).toBe(401);
  });

  const regular = cases.filter(
    ({ group, test }) =>
      !isEs521Group(group) && CORRECTED[test.tcId] === undefined && !ALG_MISMATCH.has(test.tcId),
  );

  it.each(regular.map((c) => [c.test.tcId, c.test.result, c.test.comment, c] as const))(
    'tcId %i is %s (%s)',
    async (_id, result, _comment, { group, test }) => {
      const verdict = await accepts(keySet(group), test.jws);
      if (result === 'valid') expect(verdict).toBe(true);
      else if (result === 'invalid') expect(verdict).toBe(false);
      else expect(typeof verdict).toBe('boolean');
    },
  );

  it.each(Object.entries(CORRECTED))(
    'corrected tcId %s gets the verdict the data should have',
    async (id, fix) => {
      const { group, test } = cases.find((c) => c.test.tcId === Number(id))!;
      expect(await accepts(keySet(group), test.jws), fix.why).toBe(fix.verdict === 'valid');
    },
  );

  it('tcIds 367 and 370 really are byte-identical to tcId 357', () => {
    const jws = (id: number) => cases.find((c) => c.test.tcId === id)!.test.jws;
    expect(jws(367)).toBe(jws(357));
    expect(jws(370)).toBe(jws(357));
  });

  it.each([...ALG_MISMATCH])(
    'refuses tcId %i (key alg PS256, token PS384) and verifies it with the key alg corrected',
    async (id) => {
      const { group, test } = cases.find((c) => c.test.tcId === id)!;
      const key = group.public as Jwk;
      expect(key.alg).toBe('PS256');
      expect(await accepts(keySet(group), test.jws)).toBe(false);
      expect(await accepts({ keys: [{ ...key, alg: 'PS384' }] }, test.jws)).toBe(true);
    },
  );

  it('refuses the ES521-labelled keys, and verifies their tokens once the key says ES512', async () => {
    const es521 = cases.filter(({ group }) => isEs521Group(group));
    expect(es521.length).toBeGreaterThan(0);
    for (const { group, test } of es521) {
      expect(await accepts(keySet(group), test.jws)).toBe(false);
      const fixed = { keys: [{ ...(group.public as Jwk), alg: 'ES512' }] };
      expect(await accepts(fixed, test.jws)).toBe(test.result === 'valid');
    }
  });
});

describe.runIf(dir !== undefined)('Wycheproof json_web_key_test.json', () => {
  const file = dir
    ? readVector<{ testGroups: Group[] }>(dir, 'wycheproof/json_web_key_test.json')
    : { testGroups: [] };
  const cases = file.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));

  it('has the 26 cases the manifest lists', () => {
    expect(cases.length).toBe(26);
  });

  it.each(cases.map((c) => [c.test.tcId, c.test.result, c.test.comment, c] as const))(
    'tcId %i is %s (%s)',
    async (_id, result, _comment, { group, test }) => {
      const verdict = await accepts(keySet(group), test.jws);
      if (result === 'valid') expect(verdict).toBe(true);
      else if (result === 'invalid') expect(verdict).toBe(false);
      else expect(typeof verdict).toBe('boolean');
    },
  );
});
