import { LOG_FIELDS, REDACTED, SENSITIVE_FIELDS, SENSITIVE_HEADERS } from '@milkyway/protocol';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, type LoggerOptions as PinoOptions, pino } from 'pino';

/**
 * Options of {@link createLogger}.
 *
 * @example
 * ```ts
 * import { createLogger, type LoggerOptions } from '@milkyway/observability';
 *
 * const options: LoggerOptions = {
 *   name: 'payments',
 *   level: 'debug',
 *   redact: ['card.number', '*.iban'],
 *   base: { region: 'eu-west-1' },
 * };
 * const logger = createLogger(options);
 * ```
 */
export interface LoggerOptions {
  /**
   * Minimum level written: `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`.
   * Default: the `LOG_LEVEL` environment variable, else `info`.
   */
  level?: string;
  /** Logger name, written as `name` on every line (e.g. the service name). */
  name?: string;
  /**
   * Extra paths to redact, in pino's path syntax (`user.ssn`, `*.creditCard`,
   * `body["card-number"]`); added to {@link DEFAULT_REDACT_PATHS}.
   */
  redact?: string[];
  /** Replacement for redacted values. Default `[REDACTED]` (`REDACTED` of `@milkyway/protocol`). */
  censor?: string;
  /**
   * Fields written on every line. Default: pino's `pid` and `hostname`; pass `{}` for none.
   */
  base?: Record<string, unknown>;
  /**
   * Where lines go: any `{ write(line: string) }` (a test can collect them in an array), a
   * pino destination, or a file descriptor. Default: stdout.
   */
  destination?: DestinationStream | number;
  /** Add `trace_id`/`span_id`/`trace_flags` of the active span to each line. Default `true`. */
  traceCorrelation?: boolean;
}

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`);

/**
 * Paths {@link createLogger} always redacts, built from `@milkyway/protocol`'s one list of
 * `SENSITIVE_HEADERS` and `SENSITIVE_FIELDS`: authorization, cookie and API-key headers under
 * `headers`, `req.headers`, `request.headers`, `res.headers` and `response.headers`, and
 * fields named like secrets (`password`, `secret`, `token`, `accessToken`, `refresh_token`,
 * `apiKey`, `clientSecret`, `authorization`, `cookie`, ...) at the top level and one level
 * down (`*.token`).
 *
 * @example
 * ```ts
 * import { DEFAULT_REDACT_PATHS } from '@milkyway/observability';
 * DEFAULT_REDACT_PATHS.includes('req.headers.authorization'); // true
 * ```
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = Object.freeze([
  ...['headers', 'req.headers', 'request.headers', 'res.headers', 'response.headers'].flatMap(
    (prefix) => SENSITIVE_HEADERS.map((header) => `${prefix}${key(header)}`),
  ),
  ...SENSITIVE_FIELDS.flatMap((field) => [field, `*${key(field)}`]),
]);

const NO_FIELDS = Object.freeze({});

/**
 * The log fields that tie a line to the active span: `trace_id`, `span_id` and
 * `trace_flags` (`01` when sampled), or an empty object outside a span. Used as pino's
 * `mixin` by {@link createLogger}; add it to a logger you build yourself.
 *
 * @example
 * ```ts
 * import { pino } from 'pino';
 * import { traceFields } from '@milkyway/observability';
 *
 * const logger = pino({ mixin: traceFields });
 * ```
 */
export function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (span === undefined) return NO_FIELDS as Record<string, string>;
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return NO_FIELDS as Record<string, string>;
  return {
    [LOG_FIELDS.traceId]: spanContext.traceId,
    [LOG_FIELDS.spanId]: spanContext.spanId,
    [LOG_FIELDS.traceFlags]: spanContext.traceFlags & 1 ? '01' : '00',
  };
}

/**
 * Creates a structured JSON logger (pino) that satisfies Milkyway's `Logger` protocol
 * (`info/warn/error/debug(obj, msg?)`, `child(bindings)`):
 *
 * - one JSON object a line with `level` as a label (`"info"`), `time` (epoch ms) and `msg`;
 * - `trace_id`, `span_id` and `trace_flags` on every line logged inside a traced request
 *   (see {@link tracing}), read from the active OpenTelemetry span;
 * - authorization headers, cookies, tokens and other secrets redacted
 *   ({@link DEFAULT_REDACT_PATHS}), plus the paths you configure.
 *
 * @example
 * ```ts
 * import { createLogger } from '@milkyway/observability';
 *
 * const logger = createLogger({ name: 'catalog', level: 'debug', redact: ['card.number'] });
 * logger.info({ card: { number: '4242…', brand: 'visa' } }, 'payment accepted');
 * // {"level":"info","time":…,"name":"catalog","card":{"number":"[REDACTED]","brand":"visa"},"msg":"payment accepted"}
 *
 * // In a test: collect the lines.
 * const lines: string[] = [];
 * const testLogger = createLogger({ destination: { write: (line) => lines.push(line) } });
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pinoOptions: PinoOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: {
      paths: [...DEFAULT_REDACT_PATHS, ...(options.redact ?? [])],
      censor: options.censor ?? REDACTED,
    },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (options.name !== undefined) pinoOptions.name = options.name;
  if (options.base !== undefined) pinoOptions.base = options.base;
  if (options.traceCorrelation !== false) {
    pinoOptions.mixin = traceFields;
    // pino's default strategy assigns into the mixin's object; outside a span that is the
    // shared frozen empty object, so hand the line's own object back instead.
    pinoOptions.mixinMergeStrategy = (merge, mixin) =>
      mixin === NO_FIELDS ? merge : Object.assign(mixin, merge);
  }
  const destination =
    typeof options.destination === 'number'
      ? pino.destination(options.destination)
      : options.destination;
  return destination === undefined ? pino(pinoOptions) : pino(pinoOptions, destination);
}
