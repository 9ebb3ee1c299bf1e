// Auth-specific redaction helpers. The shared lists (SENSITIVE_HEADERS, SENSITIVE_FIELDS), the
// one censor string (REDACTED) and redactHeaders are protocol 9, in @milkyway/protocol.
import { createHash } from 'node:crypto';
import { REDACTED } from '@milkyway/protocol';

/**
 * A short, non-reversible fingerprint of a token or key (SHA-256, first 12 hex digits), to
 * correlate log lines without logging the secret.
 *
 * @example
 * ```ts
 * import type { Logger } from '@milkyway/protocol';
 * import { tokenFingerprint } from '@milkyway/auth';
 *
 * declare const token: string;
 * declare const logger: Logger;
 *
 * logger.debug({ token: tokenFingerprint(token) }, 'token refused');
 * ```
 */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12);
}

/**
 * Replaces a token or key with the censor `[REDACTED]` (with its fingerprint when
 * `fingerprint` is true).
 *
 * @example
 * ```ts
 * import { redactToken } from '@milkyway/auth';
 *
 * redactToken('eyJ...'); // '[REDACTED]'
 * redactToken('eyJ...', { fingerprint: true }); // '[REDACTED sha256:1a2b3c4d5e6f]'
 * ```
 */
export function redactToken(
  token: string | undefined,
  options: { fingerprint?: boolean } = {},
): string {
  if (token === undefined || token.length === 0) return '';
  return options.fingerprint ? `[REDACTED sha256:${tokenFingerprint(token)}]` : REDACTED;
}

/**
 * Redacts an `Authorization` header value, keeping only the scheme (so a log still tells
 * `Bearer` from `Basic`).
 *
 * @example
 * ```ts
 * import { redactAuthorization } from '@milkyway/auth';
 *
 * redactAuthorization('Bearer eyJ...'); // 'Bearer [REDACTED]'
 * ```
 */
export function redactAuthorization(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  const space = value.indexOf(' ');
  const scheme = space > 0 ? value.slice(0, space) : '';
  return /^[A-Za-z][A-Za-z0-9-]{0,20}$/.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED;
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

/**
 * Replaces anything that looks like a JWT inside free text (an error message, a URL) with the
 * censor `[REDACTED]`.
 *
 * @example
 * ```ts
 * import { redactJwts } from '@milkyway/auth';
 *
 * redactJwts('bad token eyJhbGciOi.eyJzdWIi.sig'); // 'bad token [REDACTED]'
 * ```
 */
export function redactJwts(text: string): string {
  return text.replace(JWT_LIKE, REDACTED);
}
