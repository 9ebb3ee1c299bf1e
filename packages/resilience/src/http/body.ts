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

/** Statuses whose responses cannot carry a body. */
export const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
