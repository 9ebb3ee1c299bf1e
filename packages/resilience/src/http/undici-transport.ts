// Internal: the client's default transport in Node, undici's Dispatcher `request` API (undici is
// the library Node's own fetch is built on). Node's fetch builds a Request, an AbortSignal
// chain, web streams for both bodies and runs the Fetch standard's algorithm (CORS modes,
// redirect bookkeeping) on every call; a service-to-service client needs none of that, and it
// was ~20 % of a gateway's busy time. The client's public API keeps fetch's types: Responses
// come out (and interceptors still get a Request and return a Response).
import type { Readable, Transform } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
import { Wakeup } from './wakeup.js';

let shared: Agent | undefined;

/** Internal: the process-wide keep-alive pool of clients that were given no `dispatcher`. */
export function sharedDispatcher(): Dispatcher {
  shared ??= new Agent();
  return shared;
}

/** Closes a body that will not be read (its connection is not reused); its error is expected. */
export function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/** What undici sends, converted from a fetch `BodyInit`; `undefined` when it cannot say (FormData). */
export interface UndiciBody {
  body: string | Uint8Array | Blob | AsyncIterable<Uint8Array> | null;
  /** The `content-type` fetch would add for this body when none was given. */
  contentType: string | null;
}

/**
 * Converts a fetch body for undici, with the content type fetch's "extract a body" gives it
 * (strings `text/plain;charset=UTF-8`, URLSearchParams form-urlencoded, a Blob its `type`).
 * FormData is left to fetch (its multipart encoding), hence `undefined`.
 */
export function undiciBody(body: BodyInit | null): UndiciBody | undefined {
  if (body === null) return { body: null, contentType: null };
  if (typeof body === 'string') return { body, contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { body, contentType: null };
  if (ArrayBuffer.isView(body)) {
    return {
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      contentType: null,
    };
  }
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body), contentType: null };
  if (body instanceof URLSearchParams) {
    return {
      body: body.toString(),
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
    };
  }
  if (body instanceof Blob) return { body, contentType: body.type === '' ? null : body.type };
  if (body instanceof FormData) return undefined;
  if (typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
    // ReadableStream (async iterable in Node 20) or any async iterable: written chunk by chunk.
    return { body: body as unknown as AsyncIterable<Uint8Array>, contentType: null };
  }
  return undefined;
}

/** Internal: one response header block as undici gives it, turned into fetch `Headers`. */
export function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (typeof value === 'string') headers.append(name, value);
    else if (value !== undefined) for (const v of value) headers.append(name, v);
  }
  return headers;
}

const ZLIB = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI = {
  flush: constants.BROTLI_OPERATION_FLUSH,
  finishFlush: constants.BROTLI_OPERATION_FLUSH,
};

/**
 * The body decoded as fetch decodes it (`gzip`/`x-gzip`, `deflate`, `br`, applied in reverse
 * order); an unknown coding leaves the body as it came, like fetch.
 */
export function decoded(body: Readable, contentEncoding: string | string[] | undefined): Readable {
  if (contentEncoding === undefined) return body;
  const codings = (Array.isArray(contentEncoding) ? contentEncoding.join(',') : contentEncoding)
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  const decoders: Transform[] = [];
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i];
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(createGunzip(ZLIB));
    else if (coding === 'deflate') decoders.push(createInflate(ZLIB));
    else if (coding === 'br') decoders.push(createBrotliDecompress(BROTLI));
    else return body;
  }
  let out: Readable = body;
  for (const decoder of decoders) {
    const from = out;
    from.on('error', (error) => decoder.destroy(error));
    decoder.on('close', () => {
      if (!from.readableEnded) discard(from);
    });
    out = from.pipe(decoder);
  }
  return out;
}

/**
 * Reads a Node body whole, failing with `tooLarge()` as soon as more than `limit` bytes arrived
 * (the body is destroyed, nothing more is read). One chunk comes back as it is, no copy.
 */
export function readWhole(
  body: Readable,
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array<ArrayBuffer> | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        cleanup();
        const error = tooLarge();
        body.on('error', () => {});
        body.destroy(error);
        reject(error);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (chunks.length === 0) resolve(null);
      else if (chunks.length === 1) resolve(chunks[0] as Uint8Array<ArrayBuffer>);
      else resolve(Buffer.concat(chunks, total) as Uint8Array<ArrayBuffer>);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

/**
 * A Node body as a web stream that pulls one chunk at a time (no read-ahead beyond the body's
 * own buffer, no copy of the chunks), counting the bytes; past `limit` it errors with
 * `tooLarge()` and destroys the body. Cancelling it destroys the body (closing the upstream).
 */
export function webStream(
  body: Readable,
  limit: number,
  tooLarge: () => Error,
): ReadableStream<Uint8Array> {
  let bytes = 0;
  let ended = false;
  let failure: unknown;
  const wakeup = new Wakeup();
  const notify = wakeup.notify;
  body.on('readable', notify);
  body.once('end', () => {
    ended = true;
    notify();
  });
  body.once('error', (error) => {
    failure = error;
    notify();
  });
  body.once('close', () => {
    // Destroyed without an error (e.g. a reset the parser saw as an abort): an unfinished body.
    if (!ended && failure === undefined) failure = new Error('upstream body closed early');
    notify();
  });
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const chunk = body.read() as Buffer | null;
          if (chunk !== null) {
            bytes += chunk.byteLength;
            if (bytes > limit) {
              const error = tooLarge();
              controller.error(error);
              body.destroy(error);
              return;
            }
            controller.enqueue(chunk);
            return;
          }
          if (failure !== undefined) {
            controller.error(failure);
            return;
          }
          if (ended) {
            controller.close();
            return;
          }
          await wakeup.wait();
        }
      },
      cancel(reason) {
        body.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
