import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from './errors/problem.js';

/** Requests Node rejects before any handler runs: status, reason phrase, detail. */
const ANSWERS = {
  400: ['Bad Request', 'The request could not be parsed as HTTP.'],
  408: ['Request Timeout', 'The request was not received in time.'],
  431: ['Request Header Fields Too Large', 'The request headers are too large.'],
} as const;

const TIMEOUTS = new Set(['ERR_HTTP_REQUEST_TIMEOUT', 'HPE_HEADERS_TIMEOUT']);

/** The status Node's client error maps to. @internal */
export function clientErrorStatus(code: string | undefined): keyof typeof ANSWERS {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code !== undefined && TIMEOUTS.has(code)) return 408;
  return 400;
}

/**
 * The server's `clientError` listener: answers what Node's HTTP parser or its timeouts reject
 * (oversized headers, garbage, slow clients) with an RFC 9457 problem instead of Node's bare
 * status line, then closes the connection. A reset connection is just destroyed; nothing is
 * written on a socket in the middle of another response.
 * @internal
 */
export function answerClientError(
  error: Error & { code?: string },
  socket: Duplex,
  connections: { responding(socket: Duplex): boolean },
): void {
  if (error.code === 'ECONNRESET' || !socket.writable || connections.responding(socket)) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error.code);
  const [title, detail] = ANSWERS[status];
  const problem: ProblemDetails = { type: 'about:blank', title, status, detail };
  const body = JSON.stringify(problem);
  socket.write(
    `HTTP/1.1 ${status} ${title}\r\n` +
      `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      'cache-control: no-store\r\n' +
      'connection: close\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}
