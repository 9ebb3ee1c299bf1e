import { createHash } from 'node:crypto';

/**
 * The placeholder redaction helpers write instead of a secret.
 *
 * @example
 * ```ts
 * import { REDACTED, redactToken } from '@milkyway/auth';
 *
 * declare const token: string;
 *
 * redactToken(token) === REDACTED; // true
 * ```
 */
export const REDACTED = '[REDACTED]';

/**
 * Header names whose values are credentials (lower case).
 *
 * @example
 * ```ts
 * import { SENSITIVE_HEADERS } from '@milkyway/auth';
 *
 * SENSITIVE_HEADERS.includes('authorization'); // true
 * ```
 */
export const SENSITIVE_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
];

/**
 * pino `redact` paths for request/response headers carrying credentials.
 *
 * @example
 * ```ts
 * import { AUTH_REDACT_PATHS, REDACTED } from '@milkyway/auth';
 *
 * declare function pino(options: object): unknown;
 *
 * const logger = pino({ redact: { paths: [...AUTH_REDACT_PATHS], censor: REDACTED } });
 * ```
 */
export const AUTH_REDACT_PATHS: readonly string[] = SENSITIVE_HEADERS.flatMap((h) => [
  `req.headers["${h}"]`,
  `res.headers["${h}"]`,
  `headers["${h}"]`,
]);

/**
 * A short, non-reversible fingerprint of a token or key (SHA-256, first 12 hex digits), to
 * correlate log lines without logging the secret.
 *
 * @example
 * ```ts
 * import { tokenFingerprint } from '@milkyway/auth';
 *
 * declare const token: string;
 * declare const logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void; debug(o: object, m?: string): void };
 *
 * logger.debug({ token: tokenFingerprint(token) }, 'token refused');
 * ```
 */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12);
}

/**
 * Replaces a token or key with {@link REDACTED} (with its fingerprint when `fingerprint` is true).
 *
 * @example
 * ```ts
 * import { REDACTED, redactToken } from '@milkyway/auth';
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
 * Redacts an `Authorization` header value, keeping only the scheme.
 *
 * @example
 * ```ts
 * import { REDACTED, redactAuthorization } from '@milkyway/auth';
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

/**
 * A copy of request/response headers with credentials redacted ({@link SENSITIVE_HEADERS} plus
 * `extra` names), for logs and span attributes.
 *
 * @example
 * ```ts
 * import { type Context } from 'hono';
 * import { redactHeaders } from '@milkyway/auth';
 *
 * declare const logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void; debug(o: object, m?: string): void };
 * declare const c: Context;
 *
 * logger.info({ headers: redactHeaders(c.req.raw.headers) }, 'request');
 * ```
 */
export function redactHeaders(
  headers: Headers | Record<string, string | string[] | undefined>,
  extra: readonly string[] = [],
): Record<string, string> {
  const sensitive = new Set([...SENSITIVE_HEADERS, ...extra.map((h) => h.toLowerCase())]);
  const out: Record<string, string> = {};
  const entries: Iterable<[string, string | string[] | undefined]> =
    headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[lower] = !sensitive.has(lower)
      ? text
      : lower.endsWith('authorization')
        ? redactAuthorization(text)!
        : REDACTED;
  }
  return out;
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

/**
 * Replaces anything that looks like a JWT inside free text (an error message, a URL) with
 * {@link REDACTED}.
 *
 * @example
 * ```ts
 * import { REDACTED, redactJwts } from '@milkyway/auth';
 *
 * declare const token: string;
 *
 * redactJwts('bad token eyJhbGciOi.eyJzdWIi.sig'); // 'bad token [REDACTED]'
 * ```
 */
export function redactJwts(text: string): string {
  return text.replace(JWT_LIKE, REDACTED);
}
