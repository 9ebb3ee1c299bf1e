import type { Logger } from '@milkyway/protocol';

/**
 * Log levels of the default logger, lowest first.
 *
 * @example
 * ```ts
 * import { createLogger, type LogLevel } from '@milkyway/core';
 *
 * const logger = createLogger({ level: 'debug' satisfies LogLevel });
 * ```
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * Options of {@link createLogger}.
 *
 * @example
 * ```ts
 * import { createLogger, type LoggerOptions } from '@milkyway/core';
 *
 * const lines: string[] = [];
 * const options: LoggerOptions = {
 *   level: 'info',
 *   write: (line) => lines.push(line),
 *   bindings: { app: 'api' },
 * };
 * const logger = createLogger(options);
 * ```
 */
export interface LoggerOptions {
  /** Lowest level written. Default `info` (or `LOG_LEVEL` from the environment when valid). */
  level?: LogLevel;
  /** Where lines go. Default: `process.stdout.write`. */
  write?: (line: string) => void;
  /** Fields added to every line. */
  bindings?: Record<string, unknown>;
}

const LEVELS: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  if (err.cause !== undefined) out.cause = serializeError(err.cause);
  return out;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function defaultWrite(line: string): void {
  process.stdout.write(line);
}

function envLevel(): LogLevel | undefined {
  const value = typeof process !== 'undefined' ? process.env.LOG_LEVEL : undefined;
  return value && value in LEVELS ? (value as LogLevel) : undefined;
}

class JsonLogger implements Logger {
  readonly #min: number;
  readonly #write: (line: string) => void;
  readonly #bindings: Record<string, unknown>;

  constructor(min: number, write: (line: string) => void, bindings: Record<string, unknown>) {
    this.#min = min;
    this.#write = write;
    this.#bindings = bindings;
  }

  #log(level: number, obj: Record<string, unknown>, msg: string | undefined): void {
    if (level < this.#min) return;
    const line = { level, time: Date.now(), ...this.#bindings, ...obj, msg };
    let text: string;
    try {
      text = JSON.stringify(line, replacer);
    } catch {
      text = JSON.stringify({
        level,
        time: line.time,
        ...this.#bindings,
        msg,
        logError: 'unserializable fields',
      });
    }
    this.#write(`${text}\n`);
  }

  debug(obj: Record<string, unknown>, msg?: string): void {
    this.#log(20, obj, msg);
  }
  info(obj: Record<string, unknown>, msg?: string): void {
    this.#log(30, obj, msg);
  }
  warn(obj: Record<string, unknown>, msg?: string): void {
    this.#log(40, obj, msg);
  }
  error(obj: Record<string, unknown>, msg?: string): void {
    this.#log(50, obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new JsonLogger(this.#min, this.#write, { ...this.#bindings, ...bindings });
  }
}

/**
 * A minimal JSON-lines logger (pino's line shape: `level`, `time`, `msg`, fields). The default
 * logger of a service; use pino (via `@milkyway/observability`) for anything serious.
 *
 * @example
 * ```ts
 * import { createLogger } from '@milkyway/core';
 *
 * const logger = createLogger({ level: 'debug' });
 * logger.info({ orderId: 'o-1' }, 'order placed');
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? envLevel() ?? 'info';
  return new JsonLogger(LEVELS[level], options.write ?? defaultWrite, options.bindings ?? {});
}
