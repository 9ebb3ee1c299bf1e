/**
 * OpenTelemetry semantic-convention names used by this package (HTTP semconv, stable since
 * v1.23). Kept as local string constants so that the main entry loads nothing but
 * `@opentelemetry/api` and `pino`.
 * @internal
 */
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
/** @internal */
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
/** @internal */
export const ATTR_HTTP_ROUTE = 'http.route';
/** @internal */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
/** @internal */
export const ATTR_HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
/** @internal */
export const ATTR_URL_PATH = 'url.path';
/** @internal */
export const ATTR_URL_QUERY = 'url.query';
/** @internal */
export const ATTR_URL_SCHEME = 'url.scheme';
/** @internal */
export const ATTR_URL_FULL = 'url.full';
/** @internal */
export const ATTR_SERVER_ADDRESS = 'server.address';
/** @internal */
export const ATTR_SERVER_PORT = 'server.port';
/** @internal */
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
/** @internal */
export const ATTR_ERROR_TYPE = 'error.type';
/** @internal */
export const ATTR_STATUS_CLASS = 'milkyway.http.status_class';

/** @internal */
export const METRIC_HTTP_SERVER_REQUEST_DURATION = 'http.server.request.duration';
/** @internal */
export const METRIC_HTTP_SERVER_ACTIVE_REQUESTS = 'http.server.active_requests';

/**
 * The bucket boundaries (in seconds) the HTTP semantic conventions advise for
 * `http.server.request.duration`; passed to the SDK as the histogram's advice.
 *
 * @example
 * ```ts
 * import { HTTP_DURATION_BUCKETS } from '@milkyway/observability';
 * console.log(HTTP_DURATION_BUCKETS.at(-1)); // 10
 * ```
 */
export const HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

/**
 * The semconv value for `http.request.method`: the method when it is a known one, `_OTHER`
 * otherwise (so that garbage methods cannot blow up metric cardinality).
 * @internal
 */
export function normalizeMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/** `2xx`, `4xx`, ... for a status code. @internal */
export function statusClass(status: number): string {
  return STATUS_CLASSES[Math.floor(status / 100)] ?? 'other';
}

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * A low-cardinality `error.type` for a thrown value: the error's class or name
 * (`TypeError`, `TimeoutError`, `HttpError`), `_OTHER` when it has none.
 * @internal
 */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    if (error.name && error.name !== 'Error') return error.name;
    const ctor = error.constructor?.name;
    return ctor && ctor !== 'Object' ? ctor : 'Error';
  }
  return '_OTHER';
}
