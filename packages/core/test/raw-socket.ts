import { connect, type Socket } from 'node:net';

/** How a raw connection ended, as the client saw it. */
export interface Ending {
  /** `end`: closed cleanly (the server's FIN, no error); `error`: a reset or another socket error. */
  how: 'end' | 'error';
  /** The socket error, if any (e.g. ECONNRESET). */
  code?: string;
  /** Everything the server sent. */
  received: string;
}

/**
 * A raw client connection whose every wait is bounded and fails with a message. Half-open like
 * a client that keeps sending its body after the server's answer and FIN: the client's own side
 * stays open until {@link RawConnection.end}.
 */
export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Whether the server closed its side (FIN) or the connection failed. */
  serverEnded(): boolean;
  /** Writes, honouring back-pressure; resolves `false` once the connection can no longer take data. */
  write(data: string | Buffer): Promise<boolean>;
  /** Ends the client's side (FIN). */
  end(): void;
  /** Resolves once what was received satisfies `done`; rejects after `boundMs` naming `what`. */
  waitFor(what: string, done: (received: string) => boolean, boundMs?: number): Promise<string>;
  /** Resolves with how the connection ended once it is fully closed; rejects after `boundMs`. */
  ended(boundMs?: number): Promise<Ending>;
  /** Destroys the socket (always safe to call). */
  destroy(): void;
}

const DEFAULT_BOUND_MS = 10_000;

/** Races `promise` against a timer that rejects with `gave up after … ms: what`. */
export function bounded<T>(promise: Promise<T>, boundMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${boundMs} ms: ${what}`)), boundMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens a raw TCP connection to 127.0.0.1:`port`. */
export async function openRaw(port: number): Promise<RawConnection> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let received = '';
  let finEnded = false;
  let error: NodeJS.ErrnoException | undefined;
  let ending: Ending | undefined;
  const watchers = new Set<() => void>();
  const endingWaiters = new Set<(ending: Ending) => void>();
  const notify = () => {
    for (const watcher of watchers) watcher();
  };
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
    notify();
  });
  socket.on('end', () => {
    finEnded = true;
    notify();
  });
  socket.on('error', (cause: NodeJS.ErrnoException) => {
    error ??= cause;
  });
  socket.on('close', () => {
    ending = error ? { how: 'error', code: error.code, received } : { how: 'end', received };
    for (const waiter of endingWaiters) waiter(ending);
    notify();
  });
  await bounded(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }),
    DEFAULT_BOUND_MS,
    `connect to port ${port}`,
  );

  return {
    socket,
    received: () => received,
    serverEnded: () => finEnded || ending !== undefined,
    write(data) {
      if (socket.destroyed || !socket.writable) return Promise.resolve(false);
      return bounded(
        new Promise<boolean>((resolve) => {
          const ok = socket.write(data, (cause) => {
            if (cause) resolve(false);
            else if (ok) resolve(true);
          });
          if (!ok) {
            const onDrain = () => {
              socket.off('close', onClose);
              resolve(true);
            };
            const onClose = () => {
              socket.off('drain', onDrain);
              resolve(false);
            };
            socket.once('drain', onDrain);
            socket.once('close', onClose);
          }
        }),
        DEFAULT_BOUND_MS,
        'write to the server (is it still reading?)',
      );
    },
    end: () => {
      socket.end();
    },
    waitFor(what, done, boundMs = DEFAULT_BOUND_MS) {
      return bounded(
        new Promise<string>((resolve, reject) => {
          const check = () => {
            if (done(received)) {
              watchers.delete(check);
              resolve(received);
            } else if (finEnded || ending) {
              watchers.delete(check);
              reject(new Error(`connection ended before ${what}; received: ${received}`));
            }
          };
          watchers.add(check);
          check();
        }),
        boundMs,
        what,
      );
    },
    ended(boundMs = DEFAULT_BOUND_MS) {
      if (ending) return Promise.resolve(ending);
      return bounded(
        new Promise<Ending>((resolve) => endingWaiters.add(resolve)),
        boundMs,
        'the connection to close',
      );
    },
    destroy: () => socket.destroy(),
  };
}

/** One parsed HTTP/1.1 response (head and body as text). */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Parses the complete responses at the start of `text` (Content-Length framed, or without a
 * body for 304/204); stops at the first incomplete one.
 */
export function parseResponses(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = text;
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) return responses;
    const [statusLine = '', ...lines] = rest.slice(0, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const at = line.indexOf(':');
      headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = headEnd + 4;
    if (rest.length < bodyStart + length) return responses;
    responses.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: rest.slice(bodyStart, bodyStart + length),
    });
    rest = rest.slice(bodyStart + length);
  }
}

/** Whether `text` holds at least `count` complete responses. */
export function hasResponses(count: number): (text: string) => boolean {
  return (text) => parseResponses(text).length >= count;
}
