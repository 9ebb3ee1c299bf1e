/**
 * Protocol 9 — redaction. One list of credential-bearing headers and field names and one
 * censor string, used by every package that logs, traces or measures.
 *
 * @example
 * ```ts
 * import { REDACTED } from '@milkyway/protocol';
 *
 * const shown = REDACTED; // '[REDACTED]'
 * ```
 */
export const REDACTED = '[REDACTED]';

/**
 * Header names (lower case) whose values are credentials and never reach a log, span or
 * metric.
 *
 * @example
 * ```ts
 * import { SENSITIVE_HEADERS } from '@milkyway/protocol';
 *
 * SENSITIVE_HEADERS.includes('authorization'); // true
 * ```
 */
export const SENSITIVE_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
]);

/**
 * Field names whose values are secrets wherever they appear in a logged object.
 *
 * @example
 * ```ts
 * import { SENSITIVE_FIELDS } from '@milkyway/protocol';
 *
 * SENSITIVE_FIELDS.includes('password'); // true
 * ```
 */
export const SENSITIVE_FIELDS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'apiKey',
  'api_key',
  'clientSecret',
  'client_secret',
  'authorization',
  'cookie',
]);

const sensitive = new Set(SENSITIVE_HEADERS);

/**
 * True when a header (any case) carries a credential.
 *
 * @example
 * ```ts
 * import { isSensitiveHeader } from '@milkyway/protocol';
 *
 * isSensitiveHeader('Authorization'); // true
 * ```
 */
export function isSensitiveHeader(name: string): boolean {
  return sensitive.has(name.toLowerCase());
}

/**
 * A copy of `headers` with every sensitive value replaced by {@link REDACTED}.
 *
 * @example
 * ```ts
 * import { redactHeaders } from '@milkyway/protocol';
 *
 * redactHeaders({ authorization: 'Bearer eyJ...', accept: 'application/json' });
 * // { authorization: '[REDACTED]', accept: 'application/json' }
 * ```
 */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = value !== undefined && isSensitiveHeader(name) ? REDACTED : value;
  }
  return out;
}
