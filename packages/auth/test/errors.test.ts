// Every auth error is a @milkyway/protocol ProblemError (protocol 1), branded with the
// Symbol.for key it always had, so brand checks keep working across copies of the package.
import { isProblemLike, ProblemError } from '@milkyway/protocol';
import { describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  createTokenIssuer,
  createVerifier,
  ForbiddenError,
  KeySetUnavailableError,
  serviceTokenInterceptor,
  UnauthorizedError,
  type VerifierOptions,
} from '../src/index.js';

const errors = [
  [UnauthorizedError.invalidToken('expired'), 401, 'milkyway.auth.unauthorized'],
  [ForbiddenError.insufficientScope(['a']), 403, 'milkyway.auth.forbidden'],
  [new KeySetUnavailableError(30), 503, 'milkyway.auth.keySetUnavailable'],
  [new AuthConfigError('bad option'), 500, 'milkyway.auth.config'],
] as const;

describe('auth errors', () => {
  it.each(errors)('%o is a ProblemError with status %i and brand %s', (error, status, brand) => {
    expect(ProblemError.is(error)).toBe(true);
    expect(isProblemLike(error)).toBe(true);
    expect(error.status).toBe(status);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for(brand)]).toBe(true);
  });

  it('tells its own classes apart by brand', () => {
    const refused = UnauthorizedError.invalidToken('signature');
    expect(UnauthorizedError.is(refused)).toBe(true);
    expect(ForbiddenError.is(refused)).toBe(false);
    expect(KeySetUnavailableError.is(refused)).toBe(false);
  });

  it('recognises a structurally branded error from another copy of the package', () => {
    const foreign = { [Symbol.for('milkyway.auth.unauthorized')]: true, status: 401 };
    expect(UnauthorizedError.is(foreign)).toBe(true);
  });

  it('keeps the 401 challenge, reason and generic detail', () => {
    const error = UnauthorizedError.invalidToken('expired');
    expect(error.headers).toEqual({ 'www-authenticate': 'Bearer error="invalid_token"' });
    expect(error.reason).toBe('expired');
    expect(error.detail).toBe('invalid credentials');
    expect(error.expose).toBe(true);
    expect(UnauthorizedError.missing().detail).toBe('authentication required');
  });

  it('keeps the 403 scope challenge and the 503 Retry-After', () => {
    expect(ForbiddenError.insufficientScope(['a', 'b']).headers).toEqual({
      'www-authenticate': 'Bearer error="insufficient_scope", scope="a b"',
    });
    expect(new KeySetUnavailableError(0.2).headers).toEqual({ 'retry-after': '1' });
  });

  it('never shows a configuration error message to a client', () => {
    expect(new AuthConfigError('secret too short').expose).toBe(false);
  });
});

describe('renamed options', () => {
  const base: VerifierOptions = {
    jwks: { keys: [] },
    algorithms: ['ES256'],
    issuer: false,
    audience: false,
  };

  it.each([
    [{ clockTolerance: 5 }, 'clockToleranceSeconds'],
    [{ maxTokenAge: 60 }, 'maxTokenAgeSeconds'],
    [{ cache: { max: 5 } }, 'maxEntries'],
    [{ cache: { maxSize: 5 } }, 'maxTotalChars'],
    [{ cache: { maxTtl: 5 } }, 'maxTtlSeconds'],
    [{ jwksOptions: { timeoutDuration: 5 } }, 'timeoutMs'],
    [{ jwksOptions: { cacheMaxAge: 5 } }, 'cacheMaxAgeMs'],
    [{ jwksOptions: { cooldownDuration: 5 } }, 'cooldownMs'],
  ])('refuses the old option %o, naming %s', (old, name) => {
    expect(() => createVerifier({ ...base, ...(old as object) })).toThrow(
      new RegExp(`renamed "${name}"`),
    );
  });

  it('refuses the issuer’s old "ttl" and the interceptor’s old "refreshBefore"', () => {
    expect(() =>
      createTokenIssuer({ issuer: 'o', privateKey: 'x', algorithm: 'ES256', ttl: 60 } as never),
    ).toThrow(/renamed "ttlSeconds"/);
    expect(() =>
      serviceTokenInterceptor({
        audience: 'a',
        getToken: async () => ({ token: 't', expiresAt: 0 }),
        refreshBefore: 5,
      } as never),
    ).toThrow(/renamed "refreshBeforeMs"/);
  });
});
