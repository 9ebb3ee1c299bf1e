import type { ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, statusTitle } from '../errors/problem.js';

/** Static header pairs (the security headers) every answer before routing carries. @internal */
export type StaticHeaders = ReadonlyArray<readonly [string, string]>;

function problemBody(status: number, detail: string, requestId?: string): string {
  const problem: ProblemDetails = {
    type: 'about:blank',
    title: statusTitle(status),
    status,
    detail,
  };
  if (requestId !== undefined) problem.requestId = requestId;
  return JSON.stringify(problem);
}

/**
 * A complete RFC 9457 problem answer as raw HTTP/1.1 bytes, for a socket no response object
 * owns (Node's parser rejected the request, or a CONNECT): `Cache-Control: no-store`,
 * `Connection: close` and the static security headers.
 * @internal
 */
export function rawProblemAnswer(
  status: number,
  detail: string,
  headers: StaticHeaders = [],
): string {
  const body = problemBody(status, detail);
  let head =
    `HTTP/1.1 ${status} ${statusTitle(status)}\r\n` +
    `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
    'cache-control: no-store\r\n';
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return `${head}connection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * Answers a request with an RFC 9457 problem through its Node response, outside the routes, and
 * ends its connection (the request is not one to keep a connection for). `requestId`, when the
 * request got one, goes into the problem (the kernel's `writeHead` adds the header).
 * @internal
 */
export function writeProblem(
  res: ServerResponse,
  status: number,
  detail: string,
  headers: StaticHeaders = [],
  requestId?: string,
): void {
  const body = problemBody(status, detail, requestId);
  res.shouldKeepAlive = false;
  for (const [name, value] of headers) res.setHeader(name, value);
  res.writeHead(status, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The same problem as a Fetch `Response`, for @hono/node-server's `errorHandler` (a request it
 * could not turn into a `Request`: an invalid Host, `OPTIONS *`, a backslash in the path); it
 * closes the connection.
 * @internal
 */
export function problemResponse(
  status: number,
  detail: string,
  headers: StaticHeaders = [],
): Response {
  const response = new Response(problemBody(status, detail), {
    status,
    // A request this malformed is the last one served on its connection.
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      connection: 'close',
    },
  });
  for (const [name, value] of headers) response.headers.set(name, value);
  return response;
}
