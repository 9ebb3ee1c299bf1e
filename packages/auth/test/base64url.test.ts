import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCanonicalBase64url } from '../src/base64url.js';

/** The definition: only the URL-safe alphabet, and the one spelling Node writes for its bytes. */
function reference(segment: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Mostly alphabet characters, sometimes one that is not (padding, '.', '+', '/', space, é). */
const segmentChar = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...ALPHABET) },
  { weight: 1, arbitrary: fc.constantFrom('=', '.', '+', '/', ' ', '\n', 'é', '\u0000') },
);
const segment = fc.array(segmentChar, { maxLength: 24 }).map((chars) => chars.join(''));

describe('isCanonicalBase64url', () => {
  it('agrees with the definition on every string', () => {
    fc.assert(
      fc.property(segment, (s) => {
        expect(isCanonicalBase64url(s)).toBe(reference(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('checks a range of a longer string without looking outside it', () => {
    fc.assert(
      fc.property(segment, segment, segment, (before, s, after) => {
        const whole = before + s + after;
        expect(isCanonicalBase64url(whole, before.length, before.length + s.length)).toBe(
          reference(s),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts the canonical spelling of any bytes and refuses the others', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const canonical = Buffer.from(bytes).toString('base64url');
        expect(isCanonicalBase64url(canonical)).toBe(true);
        expect(isCanonicalBase64url(`${canonical}=`)).toBe(false);
        if (canonical.length % 4 >= 2) {
          // The last character carries unused bits: flipping the lowest one makes a second
          // spelling of the same bytes, which is refused.
          const last = ALPHABET.indexOf(canonical.at(-1)!);
          const other = `${canonical.slice(0, -1)}${ALPHABET[last ^ 1]}`;
          expect(isCanonicalBase64url(other)).toBe(false);
        }
      }),
    );
  });

  it('takes the empty segment and refuses lengths of 1 mod 4', () => {
    expect(isCanonicalBase64url('')).toBe(true);
    expect(isCanonicalBase64url('A')).toBe(false);
    expect(isCanonicalBase64url('AAAAA')).toBe(false);
    expect(isCanonicalBase64url('AA')).toBe(true);
    expect(isCanonicalBase64url('AB')).toBe(false);
  });
});
