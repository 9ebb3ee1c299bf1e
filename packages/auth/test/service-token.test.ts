import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import {
  AuthConfigError,
  createTokenIssuer,
  createVerifier,
  serviceTokenInterceptor,
  withServiceToken,
} from '../src/index.js';
import { NOW, testClock } from './helpers.js';

const { privateKey } = await generateKeyPair('ES256', { extractable: true });

function issuerAt(clock = testClock(), ttl = 300) {
  return createTokenIssuer({
    issuer: 'orders',
    privateKey,
    algorithm: 'ES256',
    ttlSeconds: ttl,
    clock,
  });
}

/** Records requests; answers with the Authorization header it saw. */
const echo = vi.fn(async (request: Request) => new Response(request.headers.get('authorization')));

describe('createTokenIssuer', () => {
  it('issues a short-lived token for the called service', async () => {
    const { token, expiresAt } = await issuerAt().issue({
      audience: 'catalog',
      scopes: ['catalog:read'],
    });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: 'orders',
      sub: 'orders',
      aud: 'catalog',
      iat: NOW,
      exp: NOW + 300,
      scope: 'catalog:read',
      client_id: 'orders',
    });
    expect(typeof claims.jti).toBe('string');
    expect(expiresAt).toBe((NOW + 300) * 1000);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
  });

  it('issues tokens the called service verifies with the published public keys', async () => {
    const clock = testClock();
    const issuer = issuerAt(clock);
    const verifier = createVerifier({
      jwks: await issuer.publicJwks(),
      algorithms: ['ES256'],
      issuer: 'orders',
      audience: 'catalog',
      typ: 'at+jwt',
      clock,
    });
    const principal = await verifier.verify(
      (await issuer.issue({ audience: 'catalog', scopes: ['catalog:read'] })).token,
    );
    expect(principal).toMatchObject({ subject: 'orders', scopes: ['catalog:read'] });
  });

  it('publishes only the public key', async () => {
    const { keys } = await issuerAt().publicJwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toHaveProperty('d');
    expect(keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig', kid: expect.any(String) });
  });

  it('accepts a PKCS#8 PEM private key', async () => {
    const pem = await exportPKCS8(privateKey);
    const issuer = createTokenIssuer({ issuer: 'orders', privateKey: pem, algorithm: 'ES256' });
    expect((await issuer.publicJwks()).keys[0]).not.toHaveProperty('d');
    expect(typeof (await issuer.issue({ audience: 'x' })).token).toBe('string');
  });

  it('keeps lifetimes in minutes and refuses HMAC', () => {
    expect(() =>
      createTokenIssuer({ issuer: 'o', privateKey, algorithm: 'ES256', ttlSeconds: 86_400 }),
    ).toThrow(AuthConfigError);
    expect(() =>
      createTokenIssuer({ issuer: 'o', privateKey, algorithm: 'HS256' as never }),
    ).toThrow(AuthConfigError);
  });

  it('does not let extra claims override the registered ones', async () => {
    const { token } = await issuerAt().issue({
      audience: 'catalog',
      claims: { aud: 'everything', exp: 9e9, tenant: 't1' },
    });
    expect(decodeJwt(token)).toMatchObject({ aud: 'catalog', exp: NOW + 300, tenant: 't1' });
  });
});

describe('serviceTokenInterceptor', () => {
  it('attaches a bearer token and reuses it while it is fresh', async () => {
    const clock = testClock();
    const issuer = issuerAt(clock);
    const issue = vi.spyOn(issuer, 'issue');
    const interceptor = serviceTokenInterceptor({ issuer, audience: 'catalog', clock });
    const first = await (
      await interceptor(new Request('http://catalog/x'), echo, { attempt: 0 })
    ).text();
    const second = await (
      await interceptor(new Request('http://catalog/y'), echo, { attempt: 0 })
    ).text();
    expect(first).toMatch(/^Bearer ey/);
    expect(second).toBe(first);
    expect(issue).toHaveBeenCalledTimes(1);
  });

  it('refreshes before expiry, in the background while the current token is still valid', async () => {
    const clock = testClock();
    const issuer = issuerAt(clock, 300);
    const interceptor = serviceTokenInterceptor({
      issuer,
      audience: 'catalog',
      refreshBeforeMs: 60_000,
      clock,
    });
    const first = await interceptor.token();
    clock.advance(250_000); // inside the refresh window, still valid
    expect(await interceptor.token()).toBe(first); // served at once, refresh started
    await vi.waitFor(async () => expect(await interceptor.token()).not.toBe(first));
  });

  it('waits for a new token once the current one has expired', async () => {
    const clock = testClock();
    const interceptor = serviceTokenInterceptor({
      issuer: issuerAt(clock, 300),
      audience: 'catalog',
      clock,
    });
    const first = await interceptor.token();
    clock.advance(301_000);
    const next = await interceptor.token();
    expect(next).not.toBe(first);
    expect(decodeJwt(next).exp).toBe(NOW + 301 + 300);
  });

  it('refreshes once for many concurrent callers', async () => {
    const getToken = vi.fn(async () => ({
      token: `t${getToken.mock.calls.length}`,
      expiresAt: Date.now() + 300_000,
    }));
    const interceptor = serviceTokenInterceptor({ getToken, audience: 'catalog' });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => interceptor.token()));
    expect(new Set(tokens).size).toBe(1);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('only attaches the token for the listed origins', async () => {
    const interceptor = serviceTokenInterceptor({
      issuer: issuerAt(),
      audience: 'catalog',
      origins: ['https://catalog.internal'],
    });
    const other = await interceptor(new Request('https://elsewhere.example/'), echo, {
      attempt: 0,
    });
    expect(await other.text()).toBe('');
    const mine = await interceptor(new Request('https://catalog.internal/p'), echo, { attempt: 0 });
    expect(await mine.text()).toMatch(/^Bearer /);
  });

  it('wraps plain fetch, keeping method and body, against a real server', async () => {
    const seen: Array<{ auth?: string; method?: string; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, method: req.method, body });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const catalogFetch = withServiceToken(
        serviceTokenInterceptor({ issuer: issuerAt(), audience: 'catalog' }),
      );
      const res = await catalogFetch(`${base}/orders`, {
        method: 'POST',
        body: '{"id":1}',
        headers: { 'content-type': 'application/json' },
      });
      expect(await res.text()).toBe('ok');
      expect(seen).toEqual([
        { auth: expect.stringMatching(/^Bearer ey/), method: 'POST', body: '{"id":1}' },
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
