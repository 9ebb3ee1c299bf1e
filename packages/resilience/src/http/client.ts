import type { Readable } from 'node:stream';
import { DEADLINE_HEADER, DeadlineExceededError, type FetchInterceptor } from '@milkyway/protocol';
import type { Dispatcher } from 'undici';
import { CircuitBreaker, type CircuitBreakerOptions } from '../breaker/breaker.js';
import { Bulkhead, type BulkheadOptions } from '../bulkhead/bulkhead.js';
import { ResiliencePolicy } from '../policy/policy.js';
import type { CallContext } from '../policy/types.js';
import type { RetryOptions } from '../retry/retry.js';
import { RetryBudget, type RetryBudgetOptions } from '../retry/retry-budget.js';
import {
  bodyBytes,
  countBytes,
  NULL_BODY_STATUS,
  READ_WHOLE_BYTES,
  rawHeaders,
  readCapped,
  readUpTo,
} from './body.js';
import { ResponseTooLargeError } from './response-too-large-error.js';
import { ResponseValidationError } from './response-validation-error.js';
import { type ResponseSchema, validate } from './schema.js';
import {
  decoded,
  discard,
  readWhole,
  sharedDispatcher,
  toHeaders,
  type UndiciBody,
  undiciBody,
  webStream,
} from './undici-transport.js';
import { UpstreamConnectionError } from './upstream-connection-error.js';
import { UpstreamResponseError } from './upstream-response-error.js';

/**
 * Options of {@link httpClient}.
 *
 * @example
 * ```ts
 * import { httpClient, type HttpClientOptions } from '@milkyway/resilience/http';
 * const options: HttpClientOptions = { baseUrl: 'http://127.0.0.1:3001', name: 'catalog' };
 * const catalog = httpClient(options);
 * ```
 */
export interface HttpClientOptions {
  /** Base URL that relative paths are resolved against (`/products` → `${baseUrl}/products`). */
  baseUrl?: string;
  /** Name used in policy names, errors and metrics (default: the host). */
  name?: string;
  /** Headers sent with every request (a request's own headers win). */
  headers?: Record<string, string>;
  /** Time for each attempt, body included (default 2 000 ms). */
  attemptTimeoutMs?: number;
  /** Time for the whole call, retries included (default 10 000 ms); a sooner `deadline` wins. */
  totalTimeoutMs?: number;
  /** Retry settings, or `false` for none (default: 3 attempts, 50 ms base, 1 s cap). */
  retry?: RetryOptions | false;
  /** Retry budget: shared instance, settings for one budget per host, or `false` (default: one per host, 10%). */
  budget?: RetryBudget | RetryBudgetOptions | false;
  /** Breaker settings for one breaker per host, or `false` (default: `{}`, i.e. the breaker defaults). */
  breaker?: CircuitBreakerOptions | false;
  /** Bulkhead settings for one bulkhead per host, or `false` (default: 64 running, 256 queued). */
  bulkhead?: BulkheadOptions | false;
  /** Interceptors run on every attempt, outermost first (protocol 5, outbound HTTP interceptors). */
  interceptors?: FetchInterceptor[];
  /** Largest response body accepted, in bytes (default 8 MiB); larger fails with {@link ResponseTooLargeError}. */
  maxResponseBytes?: number;
  /**
   * Which upstreams are told the remaining time budget in `x-deadline-ms` (protocol 3): only
   * ones you trust to honour it, since it tells the receiver how long you will wait.
   * `true`: the `baseUrl`'s origin; a list: these origins (`'https://catalog.internal:8443'`);
   * `false` (default): none, so a third party reached through an absolute URL learns nothing.
   */
  propagateDeadline?: boolean | readonly string[];
  /**
   * A fetch to send every attempt through, as a `Request` (e.g. a test double). Default: none;
   * attempts go over undici's `request` API on `dispatcher` (undici is the library Node's fetch
   * is built on; its Dispatcher API skips the Fetch standard's per-call machinery). Interceptors
   * get a `Request` and return a `Response` either way.
   */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * The undici `Dispatcher` (connection pool) attempts go through when no `fetch` is given
   * (default: one keep-alive `Agent` shared by every client of the process), e.g.
   * `new Agent({ connections: 128 })` from `undici`.
   */
  dispatcher?: Dispatcher;
}

/**
 * Per-request options of the client's `send` / `json` / `fetch`.
 *
 * @example
 * ```ts
 * import type { HttpRequestOptions } from '@milkyway/resilience/http';
 * const key = crypto.randomUUID();
 * const options: HttpRequestOptions = { method: 'POST', json: { sku: 'a1' }, headers: { 'idempotency-key': key } };
 * ```
 */
export interface HttpRequestOptions extends Omit<RequestInit, 'body' | 'headers' | 'signal'> {
  /** Request headers. */
  headers?: HeadersInit;
  /**
   * Request body. Strings, bytes, Blob, FormData and URLSearchParams are replayable (retried
   * when the method or an `Idempotency-Key` allows); a ReadableStream or async iterable is sent
   * once, never retried, with fetch's `redirect: 'error'` (any other mode makes Node's fetch keep
   * a copy of the whole body), so a 3xx answer to it fails with {@link UpstreamConnectionError}.
   */
  body?: BodyInit | null;
  /** A JSON body (serialised, `content-type: application/json`). */
  json?: unknown;
  /** Query parameters appended to the URL (`undefined` values are skipped). */
  query?: Record<string, string | number | boolean | undefined>;
  /** The caller's cancellation, e.g. `c.var.signal`. */
  signal?: AbortSignal | null;
  /** Absolute deadline in epoch ms, e.g. `c.var.deadline`. */
  deadline?: number;
  /** Override the idempotency rule: `true` allows retries for this request, `false` forbids them. */
  idempotent?: boolean;
  /**
   * Resolve as soon as the response headers arrive and let a 1xx–4xx body stream through,
   * counted against `maxResponseBytes` (past it the body stream errors with
   * {@link ResponseTooLargeError}; a declared `Content-Length` over it fails at once). The
   * attempt timeout then covers only the wait for the headers, and a body that breaks off is
   * not retried. 5xx, 408 and 429 bodies are still read in the attempt (they decide retries),
   * and so are bodies of a declared `Content-Length` up to 64 KiB.
   * Default `false`: the body is read inside the attempt.
   */
  stream?: boolean;
}

/**
 * Options of the client's `json` method.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import type { JsonRequestOptions } from '@milkyway/resilience/http';
 * const options: JsonRequestOptions<{ id: string }> = { schema: z.object({ id: z.string() }) };
 * ```
 */
export interface JsonRequestOptions<T> extends HttpRequestOptions {
  /** Validates the parsed body (zod or any `{ parse }` / Standard Schema). */
  schema?: ResponseSchema<T>;
}

/**
 * Per-call context bound by {@link HttpClient.with}: structurally `c.var` of a Milkyway service.
 *
 * @example
 * ```ts
 * import { httpClient } from '@milkyway/resilience/http';
 * const catalog = httpClient({ baseUrl: 'http://127.0.0.1:3001' });
 * const bound = catalog.with({ signal: AbortSignal.timeout(5_000), deadline: Date.now() + 5_000 });
 * ```
 */
export interface BoundContext {
  /** The caller's cancellation. */
  signal?: AbortSignal | undefined;
  /** Absolute deadline in epoch ms. */
  deadline?: number | undefined;
  /** Extra headers for every request made through the bound view. */
  headers?: Record<string, string> | undefined;
}

/**
 * A `fetch`-compatible function: what Hono's `hc` takes as its `fetch` option.
 *
 * @example
 * ```ts
 * import { httpClient, type FetchFunction } from '@milkyway/resilience/http';
 * const f: FetchFunction = httpClient({ baseUrl: 'http://127.0.0.1:3001' }).fetch;
 * ```
 */
export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

function isBudget(value: unknown): value is RetryBudget {
  return typeof (value as RetryBudget | undefined)?.tryAcquire === 'function';
}

/** The origins `propagateDeadline` names, normalised (`new URL(x).origin`). */
function trustedOrigins(options: HttpClientOptions): ReadonlySet<string> {
  const trusted = options.propagateDeadline ?? false;
  if (trusted === false) return new Set();
  if (trusted === true) {
    if (options.baseUrl === undefined) {
      throw new TypeError('propagateDeadline: true needs a baseUrl (or list the trusted origins)');
    }
    return new Set([new URL(options.baseUrl).origin]);
  }
  return new Set(trusted.map((origin) => new URL(origin).origin));
}

/** Statuses fetch treats as redirects. */
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** A `Request` given to the client is read first (so it can be retried) up to this size. */
const BUFFER_REQUEST_BYTES = 64 * 1024;

/**
 * Whether a body can only be read once: a ReadableStream or an async iterable (Node's fetch
 * takes both). Strings, bytes, Blob, FormData and URLSearchParams can be sent again.
 */
function isStreamBody(body: BodyInit | null): boolean {
  if (body === null || typeof body !== 'object') return false;
  if (body instanceof ReadableStream) return true;
  return (
    !(body instanceof Blob) &&
    !(body instanceof FormData) &&
    !(body instanceof URLSearchParams) &&
    !ArrayBuffer.isView(body) &&
    !(body instanceof ArrayBuffer) &&
    typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

interface HostPolicies {
  breaker: CircuitBreaker | undefined;
  bulkhead: Bulkhead | undefined;
  retrying: ResiliencePolicy;
  once: ResiliencePolicy;
}

interface Prepared {
  url: string;
  /** `scheme://host[:port]` of `url`, and its path with the query, once parsed. */
  origin: string;
  path: string;
  /** Whether the undici transport can send this URL (http(s), no credentials in it). */
  plainHttp: boolean;
  /** The headers as undici takes them (name, value, ...), built on the first attempt. */
  flat: string[] | undefined;
  /** The body converted for undici, on the first attempt; `null` when it has to go through fetch. */
  converted: UndiciBody | null | undefined;
  method: string;
  headers: Headers;
  body: BodyInit | null;
  retryable: boolean;
  /** Whether this request's upstream is trusted with the deadline header. */
  sendDeadline: boolean;
  /** Whether a 1xx–4xx response body streams through instead of being read in the attempt. */
  stream: boolean;
}

/**
 * The resilient HTTP client, as {@link httpClient} builds it (the only way to make one).
 *
 * @example
 * ```ts
 * import { httpClient, type HttpClient } from '@milkyway/resilience/http';
 * const catalog: HttpClient = httpClient({ baseUrl: 'http://127.0.0.1:3001', name: 'catalog' });
 * const breaker = catalog.breakerFor('127.0.0.1:3001');
 * ```
 */
export class HttpClient {
  /** Name used in policy names and metrics. */
  readonly name: string | undefined;
  private readonly options: HttpClientOptions;
  private readonly hosts = new Map<string, HostPolicies>();
  private readonly sharedBudget: RetryBudget | undefined;
  private readonly baseFetch: (request: Request) => Promise<Response>;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly maxResponseBytes: number;
  private readonly attemptTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly bound: BoundContext;
  private readonly deadlineOrigins: ReadonlySet<string>;

  /** @internal Use {@link httpClient}. */
  constructor(options: HttpClientOptions = {}, bound: BoundContext = {}, shared?: HttpClient) {
    this.options = options;
    this.name = options.name;
    this.bound = bound;
    this.maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 2_000;
    this.totalTimeoutMs = options.totalTimeoutMs ?? 10_000;
    this.baseFetch = options.fetch ?? ((request) => this.requestViaUndici(request));
    this.dispatcher = options.dispatcher;
    // Duck-typed, not instanceof: the CJS build bundles each entry point on its own, so a
    // budget made through '@milkyway/resilience' is another class than this entry's copy.
    this.sharedBudget = isBudget(options.budget) ? options.budget : undefined;
    this.deadlineOrigins = shared?.deadlineOrigins ?? trustedOrigins(options);
    if (shared !== undefined) this.hosts = shared.hosts;
  }

  /**
   * A `fetch`-compatible function (usable as Hono `hc`'s `fetch`): relative URLs resolve
   * against `baseUrl`; non-2xx responses are returned (after retries), transport failures throw
   * typed errors.
   */
  readonly fetch: FetchFunction = (input, init) => this.request(input, init as HttpRequestOptions);

  /**
   * Like `fetch`, with the client's request options (`json`, `query`, `signal`, `deadline`,
   * `idempotent`): resolves with the buffered response whatever its status (after retries);
   * throws typed errors only when no response was obtained.
   */
  request(input: RequestInfo | URL, options: HttpRequestOptions = {}): Promise<Response> {
    return this.exchange(input, options).then(undefined, (error: unknown) => {
      if (UpstreamResponseError.is(error)) return error.response;
      throw error;
    });
  }

  /** Sends a request; resolves with the (buffered) 2xx/3xx response, throws {@link UpstreamResponseError} otherwise. */
  async send(path: string | URL, options: HttpRequestOptions = {}): Promise<Response> {
    const response = await this.request(path, options);
    if (response.status >= 400) {
      throw new UpstreamResponseError({
        response,
        method: (options.method ?? 'GET').toUpperCase(),
        url: response.url || String(path),
      });
    }
    return response;
  }

  /** Sends a request and returns its JSON body, validated with `options.schema` when given. */
  async json<T = unknown>(path: string | URL, options: JsonRequestOptions<T> = {}): Promise<T> {
    const headers = new Headers(options.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    const response = await this.send(path, { ...options, headers });
    const url = response.url || String(path);
    let data: unknown;
    try {
      const text = await response.text();
      data = text === '' ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new ResponseValidationError({ url, cause });
    }
    if (options.schema === undefined) return data as T;
    try {
      return await validate(options.schema, data);
    } catch (cause) {
      throw new ResponseValidationError({ url, cause });
    }
  }

  /**
   * A view of this client bound to one incoming request's signal and deadline (and extra
   * headers). It shares the breakers, bulkheads and budgets of this client.
   */
  with(context: BoundContext): HttpClient {
    const merged: BoundContext = {
      signal: context.signal ?? this.bound.signal,
      deadline: context.deadline ?? this.bound.deadline,
      headers: { ...this.bound.headers, ...context.headers },
    };
    return new HttpClient(this.options, merged, this);
  }

  /** The breaker guarding `host` (`'127.0.0.1:3001'`), once a request has gone there. */
  breakerFor(host: string): CircuitBreaker | undefined {
    return this.hosts.get(host)?.breaker;
  }

  /** The bulkhead guarding `host`, once a request has gone there. */
  bulkheadFor(host: string): Bulkhead | undefined {
    return this.hosts.get(host)?.bulkhead;
  }

  private policiesFor(host: string): HostPolicies {
    let entry = this.hosts.get(host);
    if (entry !== undefined) return entry;
    const o = this.options;
    const name = o.name ?? host;
    const breaker =
      o.breaker === false
        ? undefined
        : new CircuitBreaker({
            name: `${name}.breaker`,
            // 4xx answers are the caller's problem, not the dependency's; 5xx, timeouts and
            // connection failures count.
            isFailure: (error) => !UpstreamResponseError.is(error) || error.upstreamStatus >= 500,
            ...o.breaker,
          });
    const pool =
      o.bulkhead === false
        ? undefined
        : new Bulkhead({
            name: `${name}.bulkhead`,
            maxConcurrent: 64,
            maxQueue: 256,
            ...o.bulkhead,
          });
    const budget =
      o.budget === false
        ? undefined
        : (this.sharedBudget ??
          new RetryBudget({ name: `${name}.budget`, ...(o.budget as RetryBudgetOptions) }));
    const common = {
      ...(breaker === undefined ? {} : { breaker }),
      ...(pool === undefined ? {} : { bulkhead: pool }),
      attemptTimeoutMs: this.attemptTimeoutMs,
    };
    const retrying = new ResiliencePolicy({
      ...common,
      ...(o.retry === false
        ? {}
        : {
            retry: {
              name: `${name}.retry`,
              maxAttempts: 3,
              baseDelayMs: 50,
              maxDelayMs: 1_000,
              ...(budget === undefined ? {} : { budget }),
              ...o.retry,
            },
          }),
    });
    const once = new ResiliencePolicy(common);
    entry = { breaker, bulkhead: pool, retrying, once };
    this.hosts.set(host, entry);
    return entry;
  }

  private async exchange(
    input: RequestInfo | URL,
    init: HttpRequestOptions | RequestInit | undefined,
  ): Promise<Response> {
    const options = (init ?? {}) as HttpRequestOptions;
    const prepared = await this.prepare(input, options);
    const signal =
      options.signal ??
      this.bound.signal ??
      (input instanceof Request ? input.signal : undefined) ??
      undefined;
    const now = Date.now();
    let deadline = now + this.totalTimeoutMs;
    const given = options.deadline ?? this.bound.deadline;
    if (given !== undefined && given < deadline) deadline = given;
    if (signal?.aborted) throw signal.reason;
    if (deadline <= now) {
      throw new DeadlineExceededError({ reason: 'deadline', source: this.name ?? prepared.url });
    }
    const target = new URL(prepared.url);
    const host = target.host;
    prepared.sendDeadline = this.deadlineOrigins.has(target.origin);
    prepared.origin = target.origin;
    prepared.path = target.pathname + target.search;
    prepared.plainHttp =
      (target.protocol === 'http:' || target.protocol === 'https:') &&
      target.username === '' &&
      target.password === '';
    const policies = this.policiesFor(host);
    const chosen = prepared.retryable ? policies.retrying : policies.once;
    return chosen.execute((context) => this.attempt(prepared, context), { signal, deadline });
  }

  private async prepare(input: RequestInfo | URL, options: HttpRequestOptions): Promise<Prepared> {
    let url: string;
    let method = options.method;
    const given = options.headers;
    const merge =
      this.options.headers !== undefined ||
      (this.bound.headers !== undefined && Object.keys(this.bound.headers).length > 0) ||
      input instanceof Request;
    // Nothing to merge (the proxy's case): the caller's headers are copied once.
    const headers = new Headers(merge ? this.options.headers : given);
    let body: BodyInit | null = options.body ?? null;
    if (typeof input === 'object' && 'url' in input && input instanceof Request) {
      url = input.url;
      method ??= input.method;
      for (const [key, value] of input.headers) headers.set(key, value);
      if (body === null && input.body !== null) {
        // Up to 64 KiB is read, so the request stays replayable; a longer body is passed on as
        // a stream (and not retried) instead of being held in memory.
        const read = await readUpTo(input.body, BUFFER_REQUEST_BYTES);
        body = 'bytes' in read ? read.bytes : read.stream;
      }
    } else {
      url = this.resolve(String(input));
    }
    if (this.bound.headers !== undefined) {
      for (const [key, value] of Object.entries(this.bound.headers)) headers.set(key, value);
    }
    if (merge && given !== undefined) {
      for (const [key, value] of given instanceof Headers ? given : new Headers(given)) {
        headers.set(key, value);
      }
    }
    if (options.query !== undefined) {
      const u = new URL(url);
      for (const [key, value] of Object.entries(options.query)) {
        if (value !== undefined) u.searchParams.append(key, String(value));
      }
      url = u.toString();
    }
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    method = (method ?? 'GET').toUpperCase();
    const replayable = !isStreamBody(body);
    const retryable =
      replayable &&
      (options.idempotent ?? (IDEMPOTENT.has(method) || headers.has('idempotency-key')));
    return {
      url,
      origin: '',
      path: '',
      plainHttp: false,
      flat: undefined,
      converted: undefined,
      method,
      headers,
      body,
      retryable,
      sendDeadline: false,
      stream: options.stream === true,
    };
  }

  private resolve(path: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return path;
    const base = this.options.baseUrl;
    if (base === undefined) throw new TypeError(`relative URL '${path}' needs a baseUrl`);
    return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
  }

  private async attempt(prepared: Prepared, context: CallContext): Promise<Response> {
    const interceptors = this.options.interceptors;
    if (
      this.options.fetch === undefined &&
      (interceptors === undefined || interceptors.length === 0)
    ) {
      if (prepared.converted === undefined) {
        const body = prepared.method === 'GET' || prepared.method === 'HEAD' ? null : prepared.body;
        prepared.converted = (prepared.plainHttp ? undiciBody(body) : undefined) ?? null;
      }
      if (prepared.converted !== null)
        return this.attemptUndici(prepared, prepared.converted, context);
    }
    return this.attemptFetch(prepared, context);
  }

  /** The deadline header's value for this attempt, when the upstream is trusted with it. */
  private deadlineValue(prepared: Prepared, context: CallContext): string | undefined {
    if (context.deadline === undefined || !prepared.sendDeadline) return undefined;
    return String(Math.max(0, Math.floor(context.deadline - Date.now())));
  }

  /** One attempt over undici's `request` (no interceptors, no `fetch` option). */
  private async attemptUndici(
    prepared: Prepared,
    converted: UndiciBody,
    context: CallContext,
  ): Promise<Response> {
    const signal = context.signal;
    let flat = prepared.flat;
    if (flat === undefined) {
      flat = [];
      for (const [name, value] of prepared.headers) flat.push(name, value);
      if (converted.contentType !== null && !prepared.headers.has('content-type')) {
        flat.push('content-type', converted.contentType);
      }
      prepared.flat = flat;
    }
    const deadline = this.deadlineValue(prepared, context);
    const headers = deadline === undefined ? flat : [...flat, DEADLINE_HEADER, deadline];
    const streamed = isStreamBody(converted.body as BodyInit | null);
    let raw: Dispatcher.ResponseData;
    try {
      raw = await (this.dispatcher ?? sharedDispatcher()).request({
        origin: prepared.origin,
        path: prepared.path,
        method: prepared.method as Dispatcher.HttpMethod,
        headers,
        body: converted.body as Dispatcher.DispatchOptions['body'],
        signal,
      });
      if (streamed && REDIRECT_STATUS.has(raw.statusCode)) {
        // As fetch's redirect: 'error' (a streamed body cannot be sent again): a failed call.
        discard(raw.body);
        throw new TypeError('unexpected redirect');
      }
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      throw new UpstreamConnectionError({ method: prepared.method, url: prepared.url, cause });
    }
    const status = raw.statusCode;
    const failed = status >= 500 || status === 429 || status === 408;
    const nullBody = NULL_BODY_STATUS.has(status) || prepared.method === 'HEAD';
    const declared = raw.headers['content-length'];
    const body = nullBody ? null : decoded(raw.body, raw.headers['content-encoding']);
    if (nullBody) raw.body.resume();
    const limit = this.maxResponseBytes;
    const tooLarge = () => new ResponseTooLargeError({ limitBytes: limit });
    const init = { status, statusText: raw.statusText ?? '', headers: toHeaders(raw.headers) };
    if (
      prepared.stream &&
      !failed &&
      body !== null &&
      (typeof declared !== 'string' || Number(declared) > READ_WHOLE_BYTES)
    ) {
      // Streamed through, counted against maxResponseBytes as the bytes pass.
      if (typeof declared === 'string' && Number(declared) > limit) {
        discard(body);
        throw tooLarge();
      }
      const out = new Response(webStream(body, limit, tooLarge), init);
      Object.defineProperty(out, 'url', { value: prepared.url });
      rawHeaders.set(out, raw.headers);
      return out;
    }
    let bytes: Uint8Array<ArrayBuffer> | null = null;
    if (body !== null) {
      try {
        if (typeof declared === 'string' && Number(declared) > limit) {
          discard(body);
          throw tooLarge();
        }
        bytes = await readWhole(body, limit, tooLarge);
      } catch (cause) {
        if (signal.aborted) throw signal.reason;
        if (ResponseTooLargeError.is(cause)) throw cause;
        throw new UpstreamConnectionError({ method: prepared.method, url: prepared.url, cause });
      }
    }
    return this.buffered(prepared, init, bytes, failed, undefined, raw.headers);
  }

  /** The answer with its bytes read; a 5xx/408/429 is thrown (the breaker and the retry see it). */
  private buffered(
    prepared: Prepared,
    init: ResponseInit & { status: number },
    bytes: Uint8Array<ArrayBuffer> | null,
    failed: boolean,
    url?: string,
    raw?: Record<string, string | string[] | undefined>,
  ): Response {
    const hasBody = bytes !== null && bytes.byteLength > 0 && !NULL_BODY_STATUS.has(init.status);
    const buffered = new Response(hasBody ? bytes : null, init);
    Object.defineProperty(buffered, 'url', { value: url || prepared.url });
    if (hasBody) bodyBytes.set(buffered, bytes as Uint8Array<ArrayBuffer>);
    if (raw !== undefined) rawHeaders.set(buffered, raw);
    if (failed) {
      // Thrown so that the breaker and the retry policy see it; `fetch` turns it back into the response.
      throw new UpstreamResponseError({
        response: buffered,
        method: prepared.method,
        url: prepared.url,
      });
    }
    return buffered;
  }

  /**
   * The base of the interceptor chain without a `fetch` option: the chain's `Request` sent
   * over undici's `request`, the answer returned as a `Response` (body decoded as fetch does).
   */
  private async requestViaUndici(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
      return globalThis.fetch(request);
    }
    const flat: string[] = [];
    for (const [name, value] of request.headers) flat.push(name, value);
    let body: Uint8Array | AsyncIterable<Uint8Array> | null = null;
    const streamed = request.redirect === 'error';
    if (request.body !== null) {
      // A replayable body (the client sends streamed ones with redirect: 'error') is read, so it
      // goes out with its Content-Length as fetch would send it.
      body = streamed
        ? (request.body as unknown as AsyncIterable<Uint8Array>)
        : new Uint8Array(await request.arrayBuffer());
    }
    const raw = await (this.dispatcher ?? sharedDispatcher()).request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method as Dispatcher.HttpMethod,
      headers: flat,
      body: body as Dispatcher.DispatchOptions['body'],
      signal: request.signal,
    });
    if (streamed && REDIRECT_STATUS.has(raw.statusCode)) {
      discard(raw.body);
      throw new TypeError('unexpected redirect');
    }
    const nullBody = NULL_BODY_STATUS.has(raw.statusCode) || request.method === 'HEAD';
    if (nullBody) raw.body.resume();
    const out = new Response(
      nullBody
        ? null
        : webStream(
            decoded(raw.body, raw.headers['content-encoding']) as Readable,
            Infinity,
            () => {
              return new Error('unreachable');
            },
          ),
      { status: raw.statusCode, statusText: raw.statusText ?? '', headers: toHeaders(raw.headers) },
    );
    Object.defineProperty(out, 'url', { value: request.url });
    return out;
  }

  /** One attempt through fetch: a `fetch` option, interceptors, or a body undici cannot take. */
  private async attemptFetch(prepared: Prepared, context: CallContext): Promise<Response> {
    const signal = context.signal;
    // The Request copies the headers: the prepared ones are shared by every attempt unless
    // this attempt adds its own deadline.
    let headers = prepared.headers;
    const deadline = this.deadlineValue(prepared, context);
    if (deadline !== undefined) {
      headers = new Headers(prepared.headers);
      headers.set(DEADLINE_HEADER, deadline);
    }
    const body = prepared.method === 'GET' || prepared.method === 'HEAD' ? null : prepared.body;
    const streamed = isStreamBody(body);
    const init = {
      method: prepared.method,
      headers,
      body,
      signal,
      // A redirect is handed back, not followed. Except with a streamed body: for any other
      // redirect mode than 'error', fetch tees the body to replay it on a redirect and the
      // unread branch keeps every chunk (a 100 MB upload held whole). A 3xx answer to a streamed
      // body is therefore a failed call (UpstreamConnectionError).
      redirect: streamed ? 'error' : 'manual',
      ...(streamed ? { duplex: 'half' } : {}),
    } as RequestInit;
    const interceptors = this.options.interceptors ?? [];
    let response: Response;
    try {
      if (interceptors.length === 0 && this.options.fetch === undefined) {
        // A body only fetch can encode (FormData) or a URL it handles itself: no Request needed.
        response = await globalThis.fetch(prepared.url, init);
      } else {
        const info = { attempt: context.attempt };
        const dispatch = (index: number, req: Request): Promise<Response> => {
          const interceptor = interceptors[index];
          return interceptor === undefined
            ? this.baseFetch(req)
            : interceptor(req, (next) => dispatch(index + 1, next), info);
        };
        response = await dispatch(0, new Request(prepared.url, init));
      }
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      throw new UpstreamConnectionError({ method: prepared.method, url: prepared.url, cause });
    }
    const status = response.status;
    const failed = status >= 500 || status === 429 || status === 408;
    if (prepared.stream && !failed) {
      // Small bodies of a declared length are read here (covered by the attempt timeout, one
      // buffer); larger or undeclared ones stream through.
      const declared = response.headers.get('content-length');
      if (declared === null || Number(declared) > READ_WHOLE_BYTES) {
        return this.streamed(response, prepared);
      }
    }
    let bytes: Uint8Array<ArrayBuffer> | null;
    try {
      bytes = await readCapped(
        response.body,
        response.headers.get('content-length'),
        this.maxResponseBytes,
      );
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      if (ResponseTooLargeError.is(cause)) throw cause;
      throw new UpstreamConnectionError({ method: prepared.method, url: prepared.url, cause });
    }
    return this.buffered(
      prepared,
      { status: response.status, statusText: response.statusText, headers: response.headers },
      bytes,
      failed,
      response.url,
    );
  }

  /** The response with its body passed on as it arrives, counted against `maxResponseBytes`. */
  private async streamed(response: Response, prepared: Prepared): Promise<Response> {
    const limit = this.maxResponseBytes;
    const tooLarge = () => new ResponseTooLargeError({ limitBytes: limit });
    let body: ReadableStream<Uint8Array> | null = response.body;
    if (NULL_BODY_STATUS.has(response.status)) body = null;
    if (body !== null) {
      if (Number(response.headers.get('content-length') ?? 0) > limit) {
        await body.cancel().catch(() => {});
        throw tooLarge();
      }
      body = countBytes(body, limit, tooLarge).stream;
    }
    const out = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperty(out, 'url', { value: response.url || prepared.url });
    return out;
  }
}

/**
 * A resilient HTTP client for calls between services, with fetch's API (Responses out,
 * Requests for interceptors) over undici's Dispatcher `request` in Node: base URL, one circuit
 * breaker, bulkhead and retry budget per upstream host, per-attempt timeouts and an overall
 * deadline (told to trusted upstreams as `x-deadline-ms`, the remaining milliseconds, see
 * `propagateDeadline`), retries only for idempotent methods or requests with an
 * `Idempotency-Key`, interceptors (protocol 5, e.g. tracing), typed JSON validated by a schema,
 * non-2xx answers as {@link UpstreamResponseError}. Response bodies are read inside the attempt,
 * up to `maxResponseBytes`.
 *
 * @example
 * ```ts
 * import type { RequestVariables } from '@milkyway/protocol';
 * import { httpClient } from '@milkyway/resilience/http';
 * import { Hono } from 'hono';
 * import { z } from 'zod';
 *
 * const app = new Hono<{ Variables: RequestVariables }>();
 * const catalog = httpClient({
 *   baseUrl: 'http://127.0.0.1:3001',
 *   name: 'catalog',
 *   propagateDeadline: true, // our own service: tell it how long we wait
 * });
 * const Product = z.object({ id: z.string(), priceCents: z.number().int() });
 *
 * app.get('/orders/:id/price', async (c) => {
 *   const product = await catalog.json(`/products/${c.req.param('id')}`, {
 *     schema: Product,
 *     signal: c.var.signal,
 *     deadline: c.var.deadline,
 *   });
 *   return c.json({ priceCents: product.priceCents });
 * });
 *
 * // As the fetch of Hono's typed client:
 * // const api = hc<CatalogApp>('http://127.0.0.1:3001', { fetch: catalog.with(c.var).fetch });
 * ```
 */
export function httpClient(options?: HttpClientOptions): HttpClient {
  return new HttpClient(options);
}
