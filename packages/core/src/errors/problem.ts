import { ProblemError } from '@milkyway/protocol';

/**
 * The media type of RFC 9457 problem details.
 *
 * @example
 * ```ts
 * import { PROBLEM_CONTENT_TYPE } from '@milkyway/core';
 * import { expect } from 'vitest';
 *
 * declare const res: Response;
 * expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE); // 'application/problem+json'
 * ```
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An RFC 9457 problem details document, as core renders it.
 *
 * @example
 * ```ts
 * import type { ProblemDetails } from '@milkyway/core';
 *
 * declare const res: Response;
 * const problem = (await res.json()) as ProblemDetails;
 * if (problem.status === 400) console.log(problem.errors);
 * ```
 */
export interface ProblemDetails {
  /** Problem type URI; `about:blank` means "see the status code". */
  type: string;
  /** Short summary of the problem type. */
  title: string;
  /** The HTTP status code. */
  status: number;
  /** Explanation specific to this occurrence (only when safe to expose). */
  detail?: string;
  /** URI reference identifying this occurrence. */
  instance?: string;
  /** The request id (also in the `x-request-id` header). */
  requestId?: string;
  /** Validation failures: where and what, never the rejected values. */
  errors?: Array<{ path: string; message: string }>;
  /** Other extension members. */
  [member: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  511: 'Network Authentication Required',
};

/**
 * The reason phrase for an HTTP status code (`Not Found` for 404), used as the default title.
 *
 * @example
 * ```ts
 * import { statusTitle } from '@milkyway/core';
 *
 * statusTitle(429); // 'Too Many Requests'
 * ```
 */
export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'instance', 'requestId']);

/**
 * The outcome of mapping a thrown value to a problem: the document and the headers to send.
 *
 * @example
 * ```ts
 * import { HttpError, type ProblemOutcome, toProblem } from '@milkyway/core';
 *
 * const outcome: ProblemOutcome = toProblem(new HttpError(404, 'no such product'), 'req-1');
 * const { problem, headers, unknown } = outcome; // problem.status === 404, unknown === false
 * ```
 */
export interface ProblemOutcome {
  /** The problem document. */
  problem: ProblemDetails;
  /** Extra response headers (from the error's `headers`). */
  headers: Record<string, string> | undefined;
  /** `true` when the value was not an error carrying a status (an unknown error, rendered 500). */
  unknown: boolean;
}

function headersOf(err: Record<string, unknown>): Record<string, string> | undefined {
  const headers = err.headers;
  const out: Record<string, string> = {};
  let any = false;
  if (headers instanceof Headers) {
    for (const [k, v] of headers) {
      out[k] = v;
      any = true;
    }
  } else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v === 'string' || typeof v === 'number') {
        out[k.toLowerCase()] = String(v);
        any = true;
      }
    }
  }
  // Hono's HTTPException may carry a prepared response (e.g. bearer-auth's WWW-Authenticate).
  const res = err.res;
  if (res instanceof Response) {
    for (const [k, v] of res.headers) {
      if (k !== 'content-type' && k !== 'content-length') {
        out[k] = v;
        any = true;
      }
    }
  }
  return any ? out : undefined;
}

/**
 * Maps any thrown value to an RFC 9457 problem (the error protocol): a value with a numeric
 * `status` (400–599) keeps it, its `type`/`detail`/`instance`/`headers`, its `title` when it
 * has a type URI (RFC 9457 §4.2.1), and its
 * message as `detail` when `expose` (default for 4xx); anything else becomes a bare 500.
 *
 * @example
 * ```ts
 * import { toProblem } from '@milkyway/core';
 *
 * const { problem } = toProblem({ status: 503, title: 'Circuit Open' });
 * // { type: 'about:blank', title: 'Service Unavailable', status: 503 }: a custom title needs a type
 * ```
 */
export function toProblem(error: unknown, requestId?: string): ProblemOutcome {
  const err = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const raw = err.status;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 400 || raw > 599) {
    const problem: ProblemDetails = { type: 'about:blank', title: statusTitle(500), status: 500 };
    if (requestId !== undefined) problem.requestId = requestId;
    return { problem, headers: undefined, unknown: true };
  }
  const status = raw;
  // A ProblemError's message falls back to its title or status: only its own detail is shown.
  const problemError = ProblemError.is(error);
  const expose = typeof err.expose === 'boolean' ? err.expose : status < 500;
  const type = typeof err.type === 'string' && err.type !== '' ? err.type : 'about:blank';
  // RFC 9457 §4.2.1: with `about:blank`, the title is the status phrase; a title of its own
  // needs a type URI of its own.
  const problem: ProblemDetails = {
    type,
    title:
      type !== 'about:blank' && typeof err.title === 'string' ? err.title : statusTitle(status),
    status,
  };
  if (expose) {
    const detail = problemError
      ? (error as ProblemError).detail
      : typeof err.detail === 'string'
        ? err.detail
        : err.message;
    if (typeof detail === 'string' && detail !== '') problem.detail = detail;
  }
  if (typeof err.instance === 'string') problem.instance = err.instance;
  if (requestId !== undefined) problem.requestId = requestId;
  const extensions = err.extensions;
  if (typeof extensions === 'object' && extensions !== null) {
    for (const key of Object.keys(extensions)) {
      if (!RESERVED.has(key)) problem[key] = (extensions as Record<string, unknown>)[key];
    }
  }
  return { problem, headers: headersOf(err), unknown: false };
}
