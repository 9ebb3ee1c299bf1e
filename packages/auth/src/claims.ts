import type { JWSHeaderParameters } from 'jose';
import { UnauthorizedError } from './unauthorized-error.js';

/** @internal the claim checks, in seconds. */
export interface ClaimRules {
  issuers: readonly string[] | false;
  audiences: readonly string[] | false;
  clockToleranceSeconds: number;
  maxTokenAgeSeconds: number | undefined;
  typ: readonly string[] | undefined;
  requiredClaims: readonly string[];
}

function fail(reason: Parameters<typeof UnauthorizedError.invalidToken>[0]): never {
  throw UnauthorizedError.invalidToken(reason);
}

/** @internal `typ` values compare case-insensitively, with an optional `application/` prefix. */
export function normalizeTyp(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice(12) : lower;
}

function numeric(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail('payload');
  return value;
}

/**
 * @internal RFC 7519 §4.1 and RFC 8725 checks: exp required, nbf, future iat, max age, iss,
 * aud, typ, required claims. `now` is in seconds.
 */
export function checkClaims(
  claims: Record<string, unknown>,
  header: JWSHeaderParameters,
  rules: ClaimRules,
  now: number,
): void {
  const tolerance = rules.clockToleranceSeconds;
  if (rules.typ !== undefined) {
    if (typeof header.typ !== 'string' || !rules.typ.includes(normalizeTyp(header.typ)))
      fail('type');
  }
  const exp = numeric(claims, 'exp');
  if (exp === undefined) fail('missing_claim');
  if (now - tolerance >= exp) fail('expired');
  const nbf = numeric(claims, 'nbf');
  if (nbf !== undefined && nbf > now + tolerance) fail('not_yet_valid');
  const iat = numeric(claims, 'iat');
  if (iat !== undefined && iat > now + tolerance) fail('issued_in_future');
  if (rules.maxTokenAgeSeconds !== undefined) {
    if (iat === undefined) fail('missing_claim');
    if (now - iat > rules.maxTokenAgeSeconds + tolerance) fail('too_old');
  }
  if (rules.issuers !== false) {
    if (typeof claims.iss !== 'string' || !rules.issuers.includes(claims.iss)) fail('issuer');
  }
  if (rules.audiences !== false) {
    const aud = claims.aud;
    const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    const audiences = rules.audiences;
    if (!list.some((a) => typeof a === 'string' && audiences.includes(a))) fail('audience');
  }
  for (const name of rules.requiredClaims) if (claims[name] === undefined) fail('missing_claim');
}
