// Internal: the proxy's direct path for request bodies on @hono/node-server. There, reading
// `c.req.raw.body` goes through `Readable.toWeb(incoming)`, which copies every 64 KiB chunk of
// the Node request into a new Uint8Array: a 100 MB upload allocated 200 MB on its way through.
// When the request is still the one @hono/node-server built from `c.env.incoming` and nothing
// has read its body yet, the proxy reads the Node request itself (one allocation per chunk,
// Node's own), counting the bytes as they pass.
import type { Context } from 'hono';
import { type BodyCount, newBodyCount } from './body.js';
import { Wakeup } from './wakeup.js';

/** The part of a Node `IncomingMessage` (a `Readable`) this module uses. */
export interface NodeBodySource {
  readonly readableFlowing: boolean | null;
  readonly readableDidRead: boolean;
  readonly readableEnded: boolean;
  readonly destroyed: boolean;
  listenerCount(event: string): number;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

function isNodeBody(value: unknown): value is NodeBodySource {
  const v = value as Partial<NodeBodySource> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.on === 'function' &&
    typeof v.pause === 'function' &&
    typeof v.resume === 'function' &&
    typeof v.listenerCount === 'function' &&
    typeof v.readableDidRead === 'boolean'
  );
}

/**
 * Whether `raw` is the request @hono/node-server built from `env.incoming` (its lightweight
 * request: an object whose prototype is a plain object, not a `Request` class's own prototype).
 * A `Request` constructed later — to dispatch again under the same `env`, or by a middleware
 * that replaced the body — fails this test, and its own body is read.
 */
function isNodeServerRequest(raw: Request): boolean {
  const proto = Object.getPrototypeOf(raw) as object | null;
  return proto !== null && !Object.hasOwn(proto, 'constructor');
}

/** Whether nothing has started reading the Node request's body (public `Readable` state). */
function untouched(incoming: NodeBodySource): boolean {
  return (
    incoming.readableFlowing === null &&
    !incoming.readableDidRead &&
    !incoming.readableEnded &&
    !incoming.destroyed &&
    incoming.listenerCount('data') === 0 &&
    incoming.listenerCount('readable') === 0
  );
}

/** One turn of the event loop: microtasks queued before it (a Fetch body's first pull) have run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The Node request whose body the proxy may read directly, or `undefined` (then read
 * `c.req.raw.body`). Only when `c.req.raw` is the request @hono/node-server built from
 * `c.env.incoming` and nothing has started reading the Node request (no `data`/`readable`
 * listener, nothing read, not ended or destroyed) — checked again after one turn of the event
 * loop, because once anything has asked for the Fetch request behind `c.req.raw` (its `body`,
 * `signal`, ...), @hono/node-server's body stream starts pulling from the Node request within
 * microtasks, and two readers of one stream would each see every chunk. Another runtime,
 * `app.request()`, a re-dispatched or rewritten request, or a body a middleware already read:
 * `undefined`. Never touches `c.req.raw.body` itself.
 */
export async function unreadNodeBody(c: Context): Promise<NodeBodySource | undefined> {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (!isNodeBody(incoming) || !isNodeServerRequest(c.req.raw) || !untouched(incoming)) {
    return undefined;
  }
  await turn();
  return untouched(incoming) ? incoming : undefined;
}

/** A {@link countNodeBody} iterable and its count. */
export interface CountedNodeBody extends BodyCount {
  /** The body to hand on (an async iterable of the Node request's own chunks, no copies). */
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * Reads a Node request body chunk by chunk as the consumer asks (one chunk in hand at a time,
 * the request paused in between, so memory stays at about one chunk), counting the bytes; past
 * `limit` the iteration fails with `tooLarge()`. The request itself is never destroyed here:
 * when the iteration stops early (limit, upstream failure) it is left paused, and the server
 * drains or closes it after the response (@hono/node-server does), so the client still gets an
 * answer (a 413, a 502) instead of a reset.
 */
export function countNodeBody(
  source: NodeBodySource,
  limit: number,
  tooLarge: () => Error,
): CountedNodeBody {
  const state = newBodyCount();
  const queue: Uint8Array[] = [];
  let started = false;
  let ended = false;
  let done = false;
  let failure: unknown;
  const wakeup = new Wakeup();
  const notify = wakeup.notify;
  const onData = (chunk: Uint8Array) => {
    // One chunk at a time: the consumer resumes the request when it asks for the next one.
    source.pause();
    queue.push(chunk);
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= error ?? new Error('request body broke');
    state.broken ??= failure;
    notify();
  };
  const onClose = () => {
    // Closed before its end (the client went away): an unfinished body.
    if (!ended) onError(new Error('request body closed early'));
  };
  const detach = () => {
    if (done) return;
    done = true;
    source.off('data', onData);
    source.off('end', onEnd);
    source.off('error', onError);
    source.off('close', onClose);
    // Left paused for the server to drain after the response; never destroyed here.
    source.pause();
  };
  const iterator: AsyncIterator<Uint8Array> & AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next(): Promise<IteratorResult<Uint8Array>> {
      for (;;) {
        const chunk = queue.shift();
        if (chunk !== undefined) {
          state.bytes += chunk.byteLength;
          if (state.bytes > limit) {
            state.tooLarge = true;
            queue.length = 0;
            detach();
            throw tooLarge();
          }
          return { done: false, value: chunk };
        }
        if (failure !== undefined) {
          detach();
          throw failure;
        }
        if (ended) {
          detach();
          return { done: true, value: undefined };
        }
        if (done) return { done: true, value: undefined };
        if (!started) {
          started = true;
          source.on('end', onEnd);
          source.on('error', onError);
          source.on('close', onClose);
          source.on('data', onData); // starts the flow
        } else {
          source.resume();
        }
        await wakeup.wait();
      }
    },
    async return(): Promise<IteratorResult<Uint8Array>> {
      queue.length = 0;
      detach();
      return { done: true, value: undefined };
    },
  };
  return Object.assign(state, { body: iterator });
}
