import { Hono, type MiddlewareHandler } from 'hono';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { type Jwk, UnauthorizedError } from '../src/index.js';

export const ISSUER = 'https://id.example/';
export const AUDIENCE = 'catalog';
/** A fixed instant (seconds) the tests run "at", through injected clocks. */
export const NOW = 1_800_000_000;

export interface TestKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: Jwk;
  alg: string;
  kid: string;
}

export async function testKey(
  alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA' = 'ES256',
  kid = `${alg}-1`,
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...((await exportJWK(publicKey)) as Jwk), kid, alg, use: 'sig' };
  return { privateKey, publicKey, jwk, alg, kid };
}

export function claims(overrides: Partial<JWTPayload> & Record<string, unknown> = {}): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: NOW - 10,
    exp: NOW + 600,
    scope: 'catalog:read',
    ...overrides,
  };
}

export async function sign(
  key: TestKey,
  payload: JWTPayload = claims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header } as never)
    .sign(key.privateKey);
}

/** Clock at NOW (ms), movable. */
export function testClock(start = NOW * 1000) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  clock.set = (ms: number) => {
    now = ms;
  };
  return clock;
}

/** A plain Hono app rendering status-carrying errors the way core does (protocol 1). */
export function app(...middleware: MiddlewareHandler[]): Hono {
  const hono = new Hono();
  hono.onError((error, c) => {
    const e = error as {
      status?: number;
      title?: string;
      detail?: string;
      headers?: Record<string, string>;
    };
    if (typeof e.status !== 'number') return c.json({ title: 'Internal Server Error' }, 500);
    return c.json(
      { title: e.title, detail: e.detail, status: e.status },
      e.status as 401,
      e.headers ?? {},
    );
  });
  for (const m of middleware) hono.use('*', m);
  hono.get('/', (c) => c.json({ principal: (c.var as { principal?: unknown }).principal ?? null }));
  return hono;
}

export const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

export type { JWK };

const b64 = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

/** Signs any header/payload by hand (jose refuses to produce some of the tokens attacks need). */
export async function signRaw(
  key: TestKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
): Promise<string> {
  const input = `${b64(JSON.stringify(header))}.${b64(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  const params =
    key.alg === 'ES256'
      ? { name: 'ECDSA', hash: 'SHA-256' }
      : key.alg === 'PS256'
        ? { name: 'RSA-PSS', saltLength: 32 }
        : key.alg === 'EdDSA'
          ? { name: 'Ed25519' }
          : { name: 'RSASSA-PKCS1-v1_5' };
  const signature = await crypto.subtle.sign(
    params,
    key.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${b64(new Uint8Array(signature))}`;
}

/** HMAC-SHA256 over any header/payload with any secret bytes. */
export async function hmacRaw(
  secret: Uint8Array<ArrayBuffer>,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const k = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const signature = await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(input));
  return `${input}.${b64(new Uint8Array(signature))}`;
}

/** Why a verification was refused (`UnauthorizedError.reason`), or 'accepted'. */
export async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (UnauthorizedError.is(error)) return error.reason;
    throw error;
  }
  return 'accepted';
}
