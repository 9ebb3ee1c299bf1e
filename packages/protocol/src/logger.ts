/**
 * Protocol 6 — logging. The one logger type every package writes to and `c.var.logger` has:
 * the pino-compatible subset `debug/info/warn/error(fields, message?)` and `child(bindings)`.
 * A pino logger satisfies it as is; so do core's and observability's loggers.
 *
 * @example
 * ```ts
 * import type { Logger } from '@milkyway/protocol';
 *
 * declare const logger: Logger;
 * logger.child({ component: 'relay' }).info({ published: 3 }, 'batch published');
 * ```
 */
export interface Logger {
  /** Log at debug level. */
  debug(fields: Record<string, unknown>, message?: string): void;
  /** Log at info level. */
  info(fields: Record<string, unknown>, message?: string): void;
  /** Log at warn level. */
  warn(fields: Record<string, unknown>, message?: string): void;
  /** Log at error level. */
  error(fields: Record<string, unknown>, message?: string): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * A logger that drops everything: the default of library components until the user gives one.
 *
 * @example
 * ```ts
 * import { silentLogger } from '@milkyway/protocol';
 *
 * silentLogger.warn({ reason: 'ignored' }, 'never written');
 * ```
 */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/**
 * The field names every Milkyway log line uses for request correlation: one name for the
 * request id across core, observability and the examples; the trace fields follow
 * OpenTelemetry's log data model.
 *
 * @example
 * ```ts
 * import { LOG_FIELDS, type Logger } from '@milkyway/protocol';
 *
 * declare const logger: Logger;
 * logger.info({ [LOG_FIELDS.requestId]: 'r-1' }, 'handled');
 * ```
 */
export const LOG_FIELDS = {
  requestId: 'requestId',
  traceId: 'trace_id',
  spanId: 'span_id',
  traceFlags: 'trace_flags',
} as const;
