import { UnauthorizedError } from './unauthorized-error.js';

/**
 * Extracts the token from an `Authorization: Bearer <token>` header value (RFC 6750 §2.1).
 * Returns `undefined` when the header is absent or uses another scheme; throws a 401
 * `invalid_token` when it is a Bearer header but malformed or longer than `maxLength`
 * (checked before anything else is done with it).
 *
 * @example
 * ```ts
 * import { parseBearer } from '@milkyway/auth';
 *
 * parseBearer('Bearer eyJ...'); // 'eyJ...'
 * parseBearer('Basic dXNlcg=='); // undefined
 * ```
 */
export function parseBearer(header: string | undefined, maxLength = 8192): string | undefined {
  if (header === undefined) return undefined;
  if (header.length > maxLength + 64) throw UnauthorizedError.invalidToken('too_long');
  if (header.length < 7 || header.slice(0, 7).toLowerCase() !== 'bearer ') {
    if (header.trim().toLowerCase() === 'bearer') throw UnauthorizedError.invalidToken('malformed');
    return undefined;
  }
  const token = header.slice(7).trim();
  if (token.length === 0 || /[\s,]/.test(token)) throw UnauthorizedError.invalidToken('malformed');
  if (token.length > maxLength) throw UnauthorizedError.invalidToken('too_long');
  return token;
}
