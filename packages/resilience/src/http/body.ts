import { ResponseTooLargeError } from './response-too-large-error.js';

/**
 * Internal: reads a body stream completely, failing with `tooLarge()` as soon as more than
 * `limit` bytes arrived (the stream is cancelled, nothing more is read).
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  limit: number,
  tooLarge: () => Error = () => new ResponseTooLargeError({ limitBytes: limit }),
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (body === null) return null;
  if (declaredLength !== null && Number(declaredLength) > limit) {
    await body.cancel().catch(() => {});
    throw tooLarge();
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Internal: the bytes of a response the client read whole (a `stream: true` response of
 * declared length up to {@link READ_WHOLE_BYTES}), so that the proxy can answer with them
 * directly (one write of a known length) instead of piping a stream of one chunk.
 */
export const bodyBytes = new WeakMap<Response, Uint8Array<ArrayBuffer>>();

/**
 * Internal: the response header block as undici gave it (lower-case names, repeated ones as
 * arrays), so that the proxy can copy it without going through the `Headers` object.
 */
export const rawHeaders = new WeakMap<Response, Record<string, string | string[] | undefined>>();

/** Internal: `stream: true` responses of a declared length up to this are read in the attempt. */
export const READ_WHOLE_BYTES = 64 * 1024;

/** Statuses whose responses cannot carry a body. */
export const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** Internal: what a counted body saw so far (updated in place as it is read). */
export interface BodyCount {
  /** Bytes passed on so far. */
  readonly bytes: number;
  /** True once the limit was passed (the body then failed with `tooLarge()`). */
  readonly tooLarge: boolean;
  /** The source's own error, when the source broke (a client that went away). */
  readonly broken: unknown;
}

/** Internal: a {@link countBytes} stream and its count. */
export interface CountedBody extends BodyCount {
  /** The stream to hand on. */
  readonly stream: ReadableStream<Uint8Array>;
}

/** Internal: the mutable record behind a {@link BodyCount}. */
export type BodyCountState = { -readonly [K in keyof BodyCount]: BodyCount[K] };

/** Internal: a fresh count (nothing read yet). */
export const newBodyCount = (): BodyCountState => ({
  bytes: 0,
  tooLarge: false,
  broken: undefined,
});

/**
 * Internal: passes `source` on chunk by chunk, as the reader asks for them (no read-ahead,
 * so memory stays at about one chunk whatever the body's size), counting the bytes; past
 * `limit` it errors with `tooLarge()` and cancels the source.
 */
export function countBytes(
  source: ReadableStream<Uint8Array>,
  limit: number,
  tooLarge: () => Error,
): CountedBody {
  const reader = source.getReader();
  const state = newBodyCount();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          state.broken = error ?? new Error('body stream broke');
          controller.error(error);
          return;
        }
        if (next.done) {
          controller.close();
          return;
        }
        state.bytes += next.value.byteLength;
        if (state.bytes > limit) {
          state.tooLarge = true;
          const error = tooLarge();
          controller.error(error);
          await reader.cancel(error).catch(() => {});
          return;
        }
        controller.enqueue(next.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return Object.assign(state, { stream });
}

/**
 * Internal: reads `source` up to `limit` bytes. A body that ends within the limit comes back
 * whole (`bytes`, replayable); a longer one comes back as a stream that yields what was read
 * and then the rest as it arrives (so nothing past `limit` is held in memory).
 */
export async function readUpTo(
  source: ReadableStream<Uint8Array>,
  limit: number,
): Promise<{ bytes: Uint8Array<ArrayBuffer> } | { stream: ReadableStream<Uint8Array> }> {
  const reader = source.getReader();
  const head: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      const bytes = new Uint8Array(total);
      let offset = 0;
      for (const chunk of head) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      return { bytes };
    }
    head.push(value);
    total += value.byteLength;
    if (total > limit) break;
  }
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const first = head.shift();
        if (first !== undefined) return controller.enqueue(first);
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream };
}
