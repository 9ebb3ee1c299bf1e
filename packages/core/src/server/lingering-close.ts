import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * Bounds of a lingering close: how long, and how many bytes, the server keeps reading and
 * discarding after an early answer before it destroys the socket.
 * @internal
 */
export interface LingerLimits {
  /** Longest time the server keeps reading after the answer (ms). */
  lingerMs: number;
  /** Most bytes the server reads and discards after the answer. */
  lingerMaxBytes: number;
}

const kEarly = Symbol('milkyway.earlyAnswer');
const kLimits = Symbol('milkyway.lingerLimits');
const kLingering = Symbol('milkyway.lingering');
const kNoLinger = Symbol('milkyway.noLinger');

type LingeringSocket = Socket & {
  [kEarly]?: ServerResponse;
  [kLimits]?: LingerLimits;
  [kLingering]?: boolean;
  [kNoLinger]?: boolean;
};

/** Whether the request announces a body (a body-less GET must not turn into an early answer). */
function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

type NodeSocketHandle = { reading?: boolean; readStart?: () => unknown };

/**
 * Starts the socket's handle reading again if it was stopped. While Node's HTTP parser consumes
 * the socket it stops and starts the handle itself (back-pressure of an unread request body); once
 * the parser is detached, a socket that still counts as flowing would never read again, and
 * `resume()` does nothing on a flowing stream. Same step as Node's own `onSocketResume`.
 */
function restartReading(socket: Socket): void {
  const handle = (socket as Socket & { _handle?: NodeSocketHandle })._handle;
  if (handle?.reading === false && typeof handle.readStart === 'function') {
    handle.reading = true;
    handle.readStart();
  }
}

/**
 * Ends a connection after an answer written before the request was read in full, the way RFC
 * 9112 §9.6 describes (and nginx and HAProxy do): half-close (FIN after the answer), keep reading
 * and discarding what the client still sends until it closes its side or a bound is reached, then
 * destroy. Closing at once would leave unread request bytes in the server's receive buffer; the
 * kernel then sends RST, and an RST makes the client's kernel drop the answer it has not read yet.
 * Nothing after the answer is parsed or served (RFC 9112 §9.6: "MUST NOT process any further
 * requests"): the bytes go past Node's HTTP parser, straight to the discard.
 * @internal
 */
export function lingerThenClose(socket: Socket, limits: LingerLimits): void {
  const lingering = socket as LingeringSocket;
  if (lingering[kLingering]) return;
  lingering[kLingering] = true;
  if (!socket.readable || socket.readableEnded || lingering[kNoLinger]) {
    // Nothing left to read (the client closed its side), or a slow client that is not waited for.
    Socket.prototype.destroySoon.call(socket);
    return;
  }
  // Destroying drops what is not written yet: wait until the answer is flushed.
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  };
  socket.removeAllListeners('data');
  socket.removeAllListeners('end');
  let discarded = 0;
  // The hard bound, also for a client that reads nothing: destroy whatever is left.
  const timer = setTimeout(() => socket.destroy(), limits.lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // A 'data' listener also stops the parser from consuming the socket (Node's own wrapper).
  socket.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limits.lingerMaxBytes) close();
  });
  socket.on('end', close);
  socket.end();
  socket.resume();
  restartReading(socket);
}

/**
 * Marks a connection whose client was too slow (a 408): once its answer is written it closes
 * at once instead of lingering, so that a slow client is shed within its timeout.
 * @internal
 */
export function skipLinger(socket: Socket): void {
  (socket as LingeringSocket)[kNoLinger] = true;
}

/**
 * A noted response's 'finish': if its connection stays open (the request was read in full, so
 * the answer kept the connection alive), the socket stops pointing at it. Otherwise the note
 * stays: it is how a request pipelined behind an early answer is refused, and that connection
 * is closing. Kept until the connection's next request with a body, a finished response (with
 * the request, context and response objects it reaches) survived young-generation collections,
 * as connections.ts describes. A shared function, no closure per response.
 */
function forgetKeptAlive(this: ServerResponse): void {
  const socket = this.req?.socket as LingeringSocket | null | undefined;
  if (socket?.[kEarly] === this && this.shouldKeepAlive) socket[kEarly] = undefined;
}

/**
 * Installed as the socket's own `destroySoon`, which Node's HTTP server calls once a response
 * that announced `Connection: close` is finished.
 */
function lingeringDestroySoon(this: LingeringSocket): void {
  lingerThenClose(this, this[kLimits] as LingerLimits);
}

/**
 * Called for every request before it is served. A request that announces a body gets an early
 * answer rule: a response whose headers are written before the whole body arrived (413, 415,
 * 401/403 on an upload, any early error) says `Connection: close` and its connection ends with a
 * lingering close. Returns `false` for a request that must not be served because it follows such
 * an answer on the same connection (pipelined behind it): the connection closes without
 * answering it, as RFC 9112 §9.6 requires.
 * @internal
 */
export function admitRequest(
  req: IncomingMessage,
  res: ServerResponse,
  limits: LingerLimits,
): boolean {
  const socket = req.socket as LingeringSocket;
  const early = socket[kEarly];
  if (early?.headersSent && !early.shouldKeepAlive) {
    // Discard its body too, so that nothing waits on it until the connection closes.
    req.resume();
    return false;
  }
  if (!announcesBody(req) || req.complete) return true;
  socket[kEarly] = res;
  res.on('finish', forgetKeptAlive);
  socket[kLimits] = limits;
  socket.destroySoon = lingeringDestroySoon;
  // Node reads `shouldKeepAlive` when it writes the headers: it becomes false while the body is
  // still incomplete, which makes Node announce `Connection: close` and call `destroySoon` once
  // the response is finished. Frozen once the headers are out, so it tells what was announced.
  let keepAlive = res.shouldKeepAlive;
  let announced = keepAlive;
  Object.defineProperty(res, 'shouldKeepAlive', {
    configurable: true,
    enumerable: true,
    get(this: ServerResponse): boolean {
      if (!this.headersSent) announced = keepAlive && req.complete;
      return announced;
    },
    set(value: boolean) {
      keepAlive = value;
    },
  });
  return true;
}
