import { decodeProtectedHeader } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { ProtectedHeaders } from '../src/header-cache.js';
import { createVerifier } from '../src/index.js';
import { AUDIENCE, claims, ISSUER, reason, sign, signRaw, testClock, testKey } from './helpers.js';

// Counts jose's header parses.
vi.mock('jose', async (importOriginal) => {
  const original = await importOriginal<typeof import('jose')>();
  return { ...original, decodeProtectedHeader: vi.fn(original.decodeProtectedHeader) };
});
const parses = vi.mocked(decodeProtectedHeader);

const key = await testKey('ES256');
const other = await testKey('ES256', 'other');
const verifier = () =>
  createVerifier({
    jwks: { keys: [key.jwk] },
    algorithms: ['ES256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    clock: testClock(),
    cache: false,
  });

describe('the parsed protected headers', () => {
  it('parses a header once its token verified, and every time for refused tokens', async () => {
    const v = verifier();
    const first = await sign(key, claims({ sub: 'a' }));
    const second = await sign(key, claims({ sub: 'b' }));
    expect(first.split('.')[0]).toBe(second.split('.')[0]);
    parses.mockClear();

    expect((await v.verify(first)).subject).toBe('a');
    expect((await v.verify(second)).subject).toBe('b');
    expect(parses).toHaveBeenCalledTimes(1);

    // A new header under the verifier's kid, signed by another key: refused at the signature,
    // so its header is not kept.
    const forged = await signRaw(other, { alg: 'ES256', kid: key.kid, typ: 'JWT' }, claims());
    expect(await reason(v.verify(forged))).toBe('signature');
    expect(await reason(v.verify(forged))).toBe('signature');
    expect(parses).toHaveBeenCalledTimes(3);
    // Unknown kid: refused before the signature, not kept either.
    const stranger = await sign(other, claims());
    expect(await reason(v.verify(stranger))).toBe('no_key');
    expect(parses).toHaveBeenCalledTimes(4);
  });

  it('never lets a known header stand for a signature', async () => {
    const v = verifier();
    const genuine = await sign(key, claims());
    await v.verify(genuine);
    const [header, , signature] = genuine.split('.') as [string, string, string];
    const payload = Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url');
    expect(await reason(v.verify(`${header}.${payload}.${signature}`))).toBe('signature');
    // The same header, signed by another key under the verifier's kid: still refused.
    const forged = await signRaw(other, { alg: 'ES256', kid: key.kid }, claims());
    expect(await reason(v.verify(forged))).toBe('signature');
  });

  it('hands verifyJws callers a header of their own', async () => {
    const v = verifier();
    const token = await sign(key, claims());
    const a = await v.verifyJws(token);
    a.header.alg = 'none';
    a.header.kid = 'changed';
    const b = await v.verifyJws(token);
    expect(b.header).toEqual({ alg: 'ES256', kid: key.kid });
    expect((await v.verify(token)).subject).toBe('user-1');
  });

  it('keeps at most 64 headers and starts over when full', () => {
    const headers = new ProtectedHeaders();
    const header = (n: number) => Object.freeze({ alg: 'ES256', kid: `k${n}` });
    for (let n = 0; n < 64; n++) headers.remember(`h${n}`, header(n));
    expect(headers.get('h0')).toEqual(header(0));
    expect(headers.get('h63')).toEqual(header(63));
    headers.remember('h64', header(64));
    expect(headers.get('h0')).toBeUndefined();
    expect(headers.get('h63')).toBeUndefined();
    expect(headers.get('h64')).toEqual(header(64));
  });
});
