/**
 * The few logger methods the cache and the rate limiter call: pino-compatible
 * (`(object, message)`), satisfied by core's `Logger` and by pino itself.
 *
 * @example
 * ```ts
 * import { type CacheLogger, createCache } from '@milkyway/core';
 *
 * const logger: CacheLogger = {
 *   warn: (obj, msg) => console.warn(msg, obj),
 *   info: (obj, msg) => console.info(msg, obj),
 *   debug: () => {},
 * };
 * const cache = createCache({ ttlMs: 60_000, logger });
 * ```
 */
export interface CacheLogger {
  /** Logs at warn level. */
  warn(obj: object, msg?: string): void;
  /** Logs at info level. */
  info(obj: object, msg?: string): void;
  /** Logs at debug level. */
  debug(obj: object, msg?: string): void;
}

/** Drops everything (the default: libraries stay quiet until configured). @internal */
export const quietLogger: CacheLogger = {
  warn() {},
  info() {},
  debug() {},
};
