import type { z } from 'zod';

const SECRET_BRAND = Symbol.for('milkyway.secret');
const CONFIG_ERROR_BRAND = Symbol.for('milkyway.configError');
const REDACTED = '[redacted]';

/**
 * A secret configuration value. Printing, logging or serializing it shows `[redacted]`; read
 * the value with `reveal()` where it is used.
 *
 * @example
 * ```ts
 * import { defineConfig, secret } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * declare const url: string;
 * const config = defineConfig(z.object({ API_KEY: secret(z.string()) }));
 * await fetch(url, { headers: { authorization: `Bearer ${config.API_KEY.reveal()}` } });
 * console.log(config); // { API_KEY: Secret([redacted]) }
 * ```
 */
export class Secret<T = string> {
  readonly #value: T;
  /** @internal brand for {@link Secret.is}. */
  readonly [SECRET_BRAND] = true;

  /** @param value - the secret value. */
  constructor(value: T) {
    this.#value = value;
  }

  /** The secret value. */
  reveal(): T {
    return this.#value;
  }

  /** `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** `[redacted]` (what `JSON.stringify` and JSON loggers write). */
  toJSON(): string {
    return REDACTED;
  }

  /** `Secret([redacted])` in `console.log` / `util.inspect`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED})`;
  }

  /**
   * Brand check that works across copies of the package.
   *
   * @example
   * ```ts
   * import { Secret } from '@milkyway/core';
   *
   * declare const value: unknown;
   * if (Secret.is(value)) value.reveal();
   * ```
   */
  static is(value: unknown): value is Secret<unknown> {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[SECRET_BRAND] === true
    );
  }
}

/**
 * Marks a config variable as secret: its parsed value is a {@link Secret}, redacted wherever
 * the config is printed or logged.
 *
 * @example
 * ```ts
 * import { defineConfig, secret } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const config = defineConfig(z.object({ DATABASE_URL: secret(z.url()) }));
 * ```
 */
export function secret<S extends z.ZodType>(schema: S) {
  return schema.transform((value) => new Secret(value as z.output<S>));
}

/**
 * One bad or missing configuration variable.
 *
 * @example
 * ```ts
 * import { ConfigError, defineConfig } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const schema = z.object({ PORT: z.coerce.number() });
 * try {
 *   defineConfig(schema);
 * } catch (e) {
 *   if (ConfigError.is(e)) for (const issue of e.issues) console.error(issue.key, issue.message);
 * }
 * ```
 */
export interface ConfigIssue {
  /** The variable (dotted path for nested schemas). */
  key: string;
  /** What is wrong. Never the value. */
  message: string;
}

/**
 * Thrown by {@link defineConfig} when variables are missing or invalid; its message lists
 * every problem at once.
 *
 * @example
 * ```ts
 * import { ConfigError, defineConfig } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const schema = z.object({ PORT: z.coerce.number() });
 * try {
 *   defineConfig(schema);
 * } catch (e) {
 *   if (ConfigError.is(e)) console.error(e.issues);
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Every bad or missing variable. */
  readonly issues: ConfigIssue[];
  /** @internal brand for {@link ConfigError.is}. */
  readonly [CONFIG_ERROR_BRAND] = true;

  /** @param issues - the bad or missing variables. */
  constructor(issues: ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /**
   * Brand check that works across copies of the package.
   *
   * @example
   * ```ts
   * import { ConfigError } from '@milkyway/core';
   *
   * declare const err: unknown;
   * if (ConfigError.is(err)) process.exit(1);
   * ```
   */
  static is(value: unknown): value is ConfigError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[CONFIG_ERROR_BRAND] === true
    );
  }
}

/**
 * Where {@link defineConfig} reads variables from.
 *
 * @example
 * ```ts
 * import { type ConfigSource, defineConfig } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const source: ConfigSource = { PORT: '8080' };
 * const config = defineConfig(z.object({ PORT: z.coerce.number() }), source);
 * ```
 */
export type ConfigSource = Record<string, string | undefined>;

/**
 * Reads typed configuration: parses and coerces `process.env` (or `source`) with a zod schema,
 * and throws one {@link ConfigError} listing every bad or missing variable. Environment values
 * are strings: use `z.coerce.number()`, `z.stringbool()`, `z.url()`, defaults with `.default()`,
 * and {@link secret} for credentials. The result is frozen.
 *
 * @example
 * ```ts
 * import { defineConfig, secret } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * export const config = defineConfig(
 *   z.object({
 *     PORT: z.coerce.number().int().default(3000),
 *     LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
 *     DATABASE_URL: secret(z.url()),
 *   }),
 * );
 * config.PORT; // number
 * ```
 */
export function defineConfig<S extends z.ZodType>(
  schema: S,
  source: ConfigSource = process.env,
): Readonly<z.output<S>> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.') || '(root)';
      const value = issue.path.length === 1 ? source[String(issue.path[0])] : '';
      const message = value === undefined ? `missing (${issue.message})` : issue.message;
      return { key, message };
    });
    throw new ConfigError(issues);
  }
  const data = result.data;
  return (typeof data === 'object' && data !== null ? Object.freeze(data) : data) as Readonly<
    z.output<S>
  >;
}

/**
 * A copy of a config safe to print or log: {@link Secret} values become `[redacted]`.
 *
 * @example
 * ```ts
 * import { createLogger, defineConfig, redactConfig, secret } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const config = defineConfig(z.object({ DATABASE_URL: secret(z.url()) }));
 * const logger = createLogger();
 * logger.info({ config: redactConfig(config) }, 'starting');
 * ```
 */
export function redactConfig<T>(config: T): unknown {
  if (Secret.is(config)) return REDACTED;
  if (Array.isArray(config)) return config.map(redactConfig);
  if (typeof config === 'object' && config !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) out[k] = redactConfig(v);
    return out;
  }
  return config;
}
