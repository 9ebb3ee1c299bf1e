import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HttpError } from '../errors/http-error.js';
import { type LingerLimits, lingerThenClose, skipLinger } from './lingering-close.js';
import { rawProblemAnswer, type StaticHeaders } from './problem-answers.js';

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
 * Makes the request's body read fail with `error` (a status-carrying error), so that the
 * handler reading it — a typed route's validator, the body limit, a proxy — throws it and the
 * service answers it as a problem with every default header and the request id. Returns false
 * when nobody reads the body (nothing would answer). The request is not destroyed: that would
 * destroy the socket before the answer is written.
 */
function failBodyRead(req: IncomingMessage, error: HttpError): boolean {
  if (req.readableEnded || req.listenerCount('error') === 0) return false;
  req.emit('error', error);
  // The reader's stream is errored now: later bytes of the body must not reach it.
  req.removeAllListeners('data');
  return true;
}

/**
 * The server's `clientError` listener: answers what Node's HTTP parser or its timeouts reject
 * (oversized headers, garbage, slow clients) with an RFC 9457 problem instead of Node's bare
 * status line, then closes the connection.
 *
 * - before a request was dispatched: a raw problem answer with the security headers, then a
 *   lingering close (a timed-out client is closed at once instead);
 * - while a request's body is being read and no response has started (a slow or malformed
 *   body): the body read fails with a 408 or 400 `HttpError`, and the service answers it;
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
  const res = context.inFlight(socket);
  if (res !== undefined) {
    const detail = timedOut
      ? 'The request body was not received in time.'
      : 'The request body is not valid HTTP/1.1 framing.';
    if (!res.headersSent && failBodyRead(res.req, new HttpError(timedOut ? 408 : 400, detail))) {
      if (timedOut && socket instanceof Socket) skipLinger(socket);
      // Bounded even if the service never answers.
      const guard = setTimeout(() => socket.destroy(), context.linger.lingerMs);
      guard.unref();
      socket.once('close', () => clearTimeout(guard));
      return;
    }
    socket.destroy();
    return;
  }
  socket.write(rawProblemAnswer(status, ANSWERS[status], context.securityHeaders()));
  if (socket instanceof Socket) {
    if (timedOut) skipLinger(socket);
    lingerThenClose(socket, context.linger);
  } else {
    socket.end(() => socket.destroy());
  }
}
