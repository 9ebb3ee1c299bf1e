import { describe, expect, it } from 'vitest';
import { isSensitiveHeader, REDACTED, redactHeaders, SENSITIVE_HEADERS } from '../src/index.js';

describe('redaction', () => {
  it('covers every credential header the packages used to list separately', () => {
    for (const name of [
      'authorization',
      'proxy-authorization',
      'cookie',
      'set-cookie',
      'x-api-key',
      'x-auth-token',
    ]) {
      expect(SENSITIVE_HEADERS).toContain(name);
    }
    expect(isSensitiveHeader('X-Auth-Token')).toBe(true);
    expect(isSensitiveHeader('accept')).toBe(false);
  });

  it('replaces sensitive values with the one censor string and keeps the rest', () => {
    expect(
      redactHeaders({ Authorization: 'Bearer x', accept: 'application/json', cookie: undefined }),
    ).toEqual({
      Authorization: REDACTED,
      accept: 'application/json',
      cookie: undefined,
    });
    expect(REDACTED).toBe('[REDACTED]');
  });
});
