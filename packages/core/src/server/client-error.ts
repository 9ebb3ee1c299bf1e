import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HttpError } from '../errors/http-error.js';
import { kState, type RequestState } from '../request-signal.js';
import { type LingerLimits, lingerThenClose, skipLinger } from './lingering-close.js';
import { rawProblemAnswer, type StaticHeaders, writeProblem } from './problem-answers.js';

/** Requests Node rejects before any handler runs: status and detail. */
const ANSWERS = {
  400: 'The request could not be parsed as HTTP.',
  408: 'The request was not received in time.',
  413: 'The chunk extensions of the request body are too large.',
  431: 'The request headers are too large.',
} as const;

/** A status Node's client errors are answered with. @internal */
export type ClientErrorStatus = keyof typeof ANSWERS;

const TIMEOUTS = new Set(['ERR_HTTP_REQUEST_TIMEOUT', 'HPE_HEADERS_TIMEOUT']);

/** The status Node's client error maps to. @internal */
export function clientErrorStatus(code: string | undefined): ClientErrorStatus {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code !== undefined && TIMEOUTS.has(code)) return 408;
  return 400;
}

/** What {@link answerClientError} needs from the server it serves. @internal */
export interface ClientErrorContext {
  /** The response under way on a socket, if any. */
  inFlight(socket: object): ServerResponse | undefined;
  /** Static security headers every answer carries. */
  securityHeaders(): StaticHeaders | undefined;
  /** Bounds of the lingering close. */
  linger: LingerLimits;
}

/**
 * Answers a dispatched request whose body failed (too slow, malformed chunks, an unknown
 * `Transfer-Encoding`) with the problem, through its own response, and drops whatever the
 * handler writes later: the connection closes after this answer. A handler reading the body gets
 * `error` from the read at once, so it stops waiting; whatever it answers is dropped. Once the
 * connection has closed, the request is destroyed, so that nothing waits on its body forever.
 * (Emitting on the request, not destroying it: destroying an incomplete request destroys the
 * socket before the answer is written.)
 */
function answerInstead(
  res: ServerResponse,
  socket: Duplex,
  error: HttpError,
  headers: StaticHeaders,
): void {
  const requestId = (res as ServerResponse & { [kState]?: RequestState })[kState]?.requestId;
  writeProblem(res, error.status, error.detail ?? '', headers, requestId);
  res.writeHead = (() => res) as never;
  res.write = (() => true) as never;
  res.end = ((...args: unknown[]) => {
    const done = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    done?.();
    return res;
  }) as never;
  const req: IncomingMessage = res.req;
  if (!req.readableEnded && req.listenerCount('error') > 0) {
    req.emit('error', error);
    // The reader's stream is errored now: later bytes of the body must not reach it.
    req.removeAllListeners('data');
  }
  socket.once('close', () => req.destroy());
}

/**
 * The server's `clientError` listener: answers what Node's HTTP parser or its timeouts reject
 * (oversized headers, garbage, slow clients) with an RFC 9457 problem instead of Node's bare
 * status line, then closes the connection.
 *
 * - before a request was dispatched: a raw problem answer with the security headers, then a
 *   lingering close (a timed-out client is closed at once instead);
 * - when a dispatched request's body fails (too slow, malformed chunks, an unknown
 *   `Transfer-Encoding`) and no response has started: the problem is answered through the
 *   request's response (with the request id and the service's default headers);
 * - otherwise (a response already under way, a reset connection): the socket is destroyed.
 * @internal
 */
export function answerClientError(
  error: Error & { code?: string },
  socket: Duplex,
  context: ClientErrorContext,
): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error.code);
  const timedOut = status === 408;
  if (timedOut && socket instanceof Socket) skipLinger(socket);
  const res = context.inFlight(socket);
  if (res !== undefined) {
    // A request was dispatched and its body is what failed: answer through its response.
    if (res.headersSent) {
      socket.destroy();
      return;
    }
    const detail = timedOut
      ? 'The request body was not received in time.'
      : 'The request body is not valid HTTP/1.1 framing.';
    answerInstead(res, socket, new HttpError(status, detail), context.securityHeaders() ?? []);
    // Bounded even if the answer is never flushed (a client that reads nothing).
    const guard = setTimeout(() => socket.destroy(), context.linger.lingerMs);
    guard.unref();
    socket.once('close', () => clearTimeout(guard));
    return;
  }
  socket.write(rawProblemAnswer(status, ANSWERS[status], context.securityHeaders()));
  if (socket instanceof Socket) {
    lingerThenClose(socket, context.linger);
  } else {
    socket.end(() => socket.destroy());
  }
}
