/**
 * Parses an HTTP `Retry-After` value (delay-seconds or an HTTP-date) into milliseconds from
 * `now`. Returns `undefined` when the value is missing or malformed; a date in the past is 0.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from '@milkyway/resilience';
 * parseRetryAfter('120');                              // 120000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:27:00 GMT')); // 60000
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // HTTP-date (IMF-fixdate, and the obsolete forms Date.parse understands) must name a weekday.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Internal: a `Retry-After` header value for a delay in ms: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
