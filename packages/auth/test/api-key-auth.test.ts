import * as nodeCrypto from 'node:crypto';
import { OPENAPI_META } from '@milkyway/protocol';
import { describe, expect, it, vi } from 'vitest';
import { apiKeyAuth, hashApiKey, requireScopes } from '../src/index.js';
import { app } from './helpers.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const KEY_A = 'mk_live_4f1c2a0e9b7d4c6a8e3f5b1d7c9a2e4f';
const KEY_B = 'mk_live_0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';
const staticAuth = apiKeyAuth({
  keys: [
    { sha256: hashApiKey(KEY_A), subject: 'partner-a', scopes: ['orders:read'] },
    { sha256: hashApiKey(KEY_B), subject: 'partner-b', roles: ['reporting'] },
  ],
});

describe('apiKeyAuth', () => {
  it('hashes keys with SHA-256', () => {
    expect(hashApiKey('test')).toBe(
      '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    );
  });

  it('authenticates a key from the static hashed set', async () => {
    const res = await app(staticAuth).request('/', { headers: { 'x-api-key': KEY_B } });
    expect(res.status).toBe(200);
    expect((await res.json()).principal).toEqual({
      subject: 'partner-b',
      scopes: [],
      roles: ['reporting'],
      claims: {},
      type: 'apiKey',
    });
  });

  it('compares against every entry in constant time', async () => {
    const spy = vi.mocked(nodeCrypto.timingSafeEqual);
    spy.mockClear();
    await app(staticAuth).request('/', { headers: { 'x-api-key': KEY_A } });
    expect(spy).toHaveBeenCalledTimes(2); // no early exit on the first match
  });

  it('answers 401 with an ApiKey challenge for a missing or unknown key', async () => {
    for (const headers of [
      {},
      { 'x-api-key': 'nope' },
      { 'x-api-key': 'x'.repeat(10_000) },
    ] as Array<Record<string, string>>) {
      const res = await app(staticAuth).request('/', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('ApiKey header="x-api-key"');
    }
  });

  it('uses a lookup function with the key and its hash', async () => {
    const lookup = vi.fn(async ({ sha256 }: { value: string; sha256: string }) =>
      sha256 === hashApiKey(KEY_A)
        ? { subject: 'svc', scopes: ['orders:read'], claims: { tenant: 't1' } }
        : null,
    );
    const auth = apiKeyAuth({ header: 'X-Partner-Key', lookup });
    const ok = await app(auth).request('/', { headers: { 'x-partner-key': KEY_A } });
    expect((await ok.json()).principal).toMatchObject({ subject: 'svc', claims: { tenant: 't1' } });
    expect((await app(auth).request('/', { headers: { 'x-partner-key': KEY_B } })).status).toBe(
      401,
    );
  });

  it('works with the scope guards', async () => {
    const hono = app(staticAuth);
    hono.get('/orders', requireScopes('orders:read'), (c) => c.text('ok'));
    expect((await hono.request('/orders', { headers: { 'x-api-key': KEY_A } })).status).toBe(200);
    expect((await hono.request('/orders', { headers: { 'x-api-key': KEY_B } })).status).toBe(403);
  });

  it('refuses malformed hashes at configuration time', () => {
    expect(() => apiKeyAuth({ keys: [{ sha256: KEY_A, subject: 'oops' }] })).toThrow(/64 hex/);
  });

  it('declares an apiKey security scheme for OpenAPI', () => {
    expect(staticAuth[OPENAPI_META].securitySchemes).toEqual({
      apiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    });
  });
});
