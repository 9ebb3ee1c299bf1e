import { LOG_FIELDS, type Logger, PROBLEM_TYPE_BASE } from '@milkyway/protocol';
import type { Context, Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, toProblem } from './problem.js';
import { ValidationError } from './validation-error.js';

/** @internal */
export interface ErrorRendering {
  logger: Logger;
  validationStatus: 400 | 422;
  /** Where Milkyway's problem type URIs point instead of the project's docs/problems.md. */
  problemTypeBaseUrl?: string | undefined;
}

/**
 * Renders a problem document as an `application/problem+json` response with `no-store`.
 * @internal
 */
export function problemResponse(
  c: Context,
  problem: ProblemDetails,
  headers?: Record<string, string>,
): Response {
  const all: Record<string, string> = {
    ...headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
  };
  return c.newResponse(JSON.stringify(problem), problem.status as never, all);
}

/**
 * The service's error renderer (Hono `onError`): the error protocol as RFC 9457 problems;
 * unknown errors become a bare 500 and are logged with the request id.
 * @internal
 */
export function createErrorRenderer({
  logger,
  validationStatus,
  problemTypeBaseUrl,
}: ErrorRendering) {
  return function renderError(error: unknown, c: Context): Response {
    const requestId = c.get('requestId' as never) as string | undefined;
    const { problem, headers, unknown } = toProblem(error, requestId);
    if (ValidationError.is(error) && validationStatus !== 400) {
      problem.status = validationStatus;
      problem.title = 'Unprocessable Content';
    }
    if (problemTypeBaseUrl !== undefined && problem.type.startsWith(PROBLEM_TYPE_BASE)) {
      problem.type = problemTypeBaseUrl + problem.type.slice(PROBLEM_TYPE_BASE.length);
    }
    const where = { [LOG_FIELDS.requestId]: requestId, method: c.req.method, path: c.req.path };
    if (unknown) {
      logger.error({ ...where, err: error }, 'unhandled error while serving the request');
    } else {
      // A problem error was thrown on purpose: its own stack says nothing (only an underlying
      // cause's does). 4xx answers are the client's business: debug; deliberate 5xx: warn.
      const err = error as { message?: unknown; cause?: unknown };
      const fields: Record<string, unknown> = { ...where, status: problem.status };
      if (problem.type !== 'about:blank') fields.type = problem.type;
      if (err.cause !== undefined) fields.err = err.cause;
      const message = typeof err.message === 'string' ? err.message : problem.title;
      if (problem.status >= 500) logger.warn(fields, message);
      else logger.debug(fields, message);
    }
    return problemResponse(c, problem, headers);
  };
}

type RoutedApp = Pick<Hono, 'routes'>;

/**
 * The not-found handler: 405 with `Allow` when the path exists for other methods, else 404.
 * The method table is built lazily (only on this cold path) and rebuilt when routes change.
 * @internal
 */
export function createNotFoundHandler(app: RoutedApp) {
  let router: TrieRouter<string> | undefined;
  let seen = -1;
  return function notFound(c: Context): Response {
    const routes = app.routes;
    if (router === undefined || seen !== routes.length) {
      router = new TrieRouter<string>();
      for (const r of routes) if (r.method !== 'ALL') router.add('ALL', r.path, r.method);
      seen = routes.length;
    }
    const matches = router.match(c.req.method, c.req.path)[0];
    const requestId = c.get('requestId' as never) as string | undefined;
    if (matches.length > 0) {
      const methods = new Set<string>();
      for (const m of matches) methods.add(m[0]);
      if (methods.has('GET')) methods.add('HEAD');
      const allow = [...methods].sort().join(', ');
      const problem: ProblemDetails = {
        type: 'about:blank',
        title: 'Method Not Allowed',
        status: 405,
        detail: `${c.req.method} is not allowed here; use ${allow}.`,
      };
      if (requestId !== undefined) problem.requestId = requestId;
      return problemResponse(c, problem, { allow });
    }
    const problem: ProblemDetails = { type: 'about:blank', title: 'Not Found', status: 404 };
    if (requestId !== undefined) problem.requestId = requestId;
    return problemResponse(c, problem);
  };
}
