/**
 * The first key of every advisory lock this package takes (`pg_advisory_lock(int, int)` form),
 * so its locks never collide with an application's single-key advisory locks. ASCII "milk".
 */
export const LOCK_CLASS = 0x6d696c6b;

/** Quotes an identifier for SQL (`LISTEN "channel"`). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
