/**
 * Protocol 1 — problem errors. Any thrown object with a numeric `status` (400–599) is rendered
 * by `@milkyway/core` as an RFC 9457 `application/problem+json` response, using the optional
 * `title`, `type`, `detail`, `instance`, `extensions`, `headers` and `expose` members.
 * {@link ProblemError} is the base every Milkyway error class extends: a subclass is a few lines.
 */

const PROBLEM = Symbol.for('milkyway.problem');
const BRANDED = Symbol.for('milkyway.problem.branded');

/**
 * The shape core renders as problem+json: anything thrown with a numeric `status`.
 *
 * @example
 * ```ts
 * import type { ProblemLike } from '@milkyway/protocol';
 *
 * const quota: ProblemLike = { status: 429, title: 'Too Many Requests', headers: { 'retry-after': '3' } };
 * ```
 */
export interface ProblemLike {
  /** HTTP status, 400–599. */
  readonly status: number;
  /** Short summary of the problem type; with a custom title, give a `type` URI too (RFC 9457 §4.2.1). */
  readonly title?: string | undefined;
  /** Problem type URI; `about:blank` when absent. */
  readonly type?: string | undefined;
  /** Explanation of this occurrence (shown to the client only when `expose`). */
  readonly detail?: string | undefined;
  /** URI reference identifying this occurrence. */
  readonly instance?: string | undefined;
  /** Extension members of the problem document. */
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
  /** Response headers sent with the problem (e.g. `Retry-After`, `WWW-Authenticate`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Whether `detail` may be shown to the client; defaults to `status < 500`. */
  readonly expose?: boolean | undefined;
}

/**
 * True for any value core renders as a problem: an object with an integer `status` in 400–599.
 *
 * @example
 * ```ts
 * import { isProblemLike } from '@milkyway/protocol';
 *
 * isProblemLike({ status: 404 }); // true
 * isProblemLike(new Error('boom')); // false
 * ```
 */
export function isProblemLike(value: unknown): value is ProblemLike {
  if (typeof value !== 'object' || value === null) return false;
  const status = (value as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599;
}

/**
 * Options of {@link ProblemError} beyond its status and detail.
 *
 * @example
 * ```ts
 * import { ProblemError, type ProblemErrorOptions } from '@milkyway/protocol';
 *
 * const options: ProblemErrorOptions = { headers: { 'retry-after': '60' } };
 * throw new ProblemError(429, 'monthly quota used up', options);
 * ```
 */
export interface ProblemErrorOptions {
  /** Short summary of the problem type. Defaults to the status' reason phrase when rendered. */
  title?: string;
  /** A URI identifying the problem type. Defaults to `about:blank` when rendered. */
  type?: string;
  /** A URI reference identifying this occurrence. */
  instance?: string;
  /** Extension members of the problem document. */
  extensions?: Record<string, unknown>;
  /** Response headers sent with the problem. */
  headers?: Record<string, string>;
  /** Whether `detail` may be shown to clients. Defaults to `status < 500`. */
  expose?: boolean;
  /** The underlying error, for logs only. */
  cause?: unknown;
  /**
   * Capture a stack trace (default `true`). Fast-fail rejections on a hot path (an open
   * breaker, a full bulkhead) pass `false`: their stack says nothing and costs microseconds.
   */
  stack?: boolean;
}

/** A class of {@link ProblemError} with its brand (see {@link ProblemError.is}). */
type BrandedClass = { readonly brand: symbol; readonly prototype: object };

/**
 * The base of every Milkyway error that becomes an HTTP problem. A subclass declares a
 * `static override readonly brand: symbol = Symbol.for('milkyway.<name>')` (annotated as
 * `symbol`, so that it can be subclassed again with a brand of its own); then
 * `Subclass.is(value)` is a brand check that works across duplicate installs of a package
 * (unlike `instanceof`).
 *
 * @example
 * ```ts
 * import { ProblemError } from '@milkyway/protocol';
 *
 * export class QuotaExceededError extends ProblemError {
 *   static override readonly brand: symbol = Symbol.for('example.quota_exceeded');
 *   constructor(readonly resetInSeconds: number) {
 *     super(429, 'monthly quota used up', { headers: { 'retry-after': String(resetInSeconds) } });
 *   }
 * }
 *
 * declare const err: unknown;
 * if (QuotaExceededError.is(err)) console.warn(err.resetInSeconds);
 * if (ProblemError.is(err)) console.warn(err.status);
 * ```
 */
export class ProblemError extends Error implements ProblemLike {
  /** The brand of this class: `Symbol.for` keys, so copies of a package agree. */
  static readonly brand: symbol = PROBLEM;

  /**
   * Brand check that works across duplicate installs (unlike `instanceof`); on a subclass it
   * checks that subclass' brand.
   */
  static is<C extends BrandedClass>(
    this: C,
    value: unknown,
  ): value is C['prototype'] & ProblemError {
    return (
      typeof value === 'object' &&
      value !== null &&
      // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the check was called on
      (value as Record<symbol, unknown>)[this.brand] === true
    );
  }

  /** HTTP status, 400–599. */
  readonly status: number;
  /** Explanation of this occurrence (shown only when {@link ProblemError.expose}). */
  readonly detail: string | undefined;
  /** Whether `detail` may be shown to clients. */
  readonly expose: boolean;
  /** Short summary of the problem type, when set. */
  declare readonly title?: string;
  /** Problem type URI, when set. */
  declare readonly type?: string;
  /** URI reference of this occurrence, when set. */
  declare readonly instance?: string;
  /** Extension members, when set. */
  declare readonly extensions?: Record<string, unknown>;
  /** Response headers, when set. */
  declare readonly headers?: Record<string, string>;

  /**
   * @param status - HTTP status, 400–599.
   * @param detail - explanation of this occurrence; shown to clients when `expose`.
   * @param options - title, type, headers, extension members, expose, cause, stack.
   */
  constructor(status: number, detail?: string, options: ProblemErrorOptions = {}) {
    const limit = Error.stackTraceLimit;
    if (options.stack === false) Error.stackTraceLimit = 0;
    super(
      detail ?? options.title ?? `HTTP ${status}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    Error.stackTraceLimit = limit;
    brandPrototypes(new.target);
    this.name = new.target.name;
    this.status = status;
    this.detail = detail;
    this.expose = options.expose ?? status < 500;
    // Only what was given becomes an own property: a problem document lists only what is set.
    const self = this as { -readonly [K in keyof ProblemError]?: ProblemError[K] };
    if (options.title !== undefined) self.title = options.title;
    if (options.type !== undefined) self.type = options.type;
    if (options.instance !== undefined) self.instance = options.instance;
    if (options.extensions !== undefined) self.extensions = options.extensions;
    if (options.headers !== undefined) self.headers = options.headers;
  }
}

/** Puts every brand of the class chain on the prototypes once (not on each instance). */
function brandPrototypes(target: Function): void {
  const proto = target.prototype as Record<symbol, unknown>;
  if (Object.hasOwn(proto, BRANDED)) return;
  for (let c: Function | null = target; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, 'brand')) {
      Object.defineProperty(proto, (c as unknown as BrandedClass).brand, { value: true });
    }
  }
  Object.defineProperty(proto, BRANDED, { value: true });
}
