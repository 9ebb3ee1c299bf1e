import type { Context } from 'hono';
import { HttpError } from '../errors/http-error.js';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON request body as RFC 8259 requires: UTF-8 only. A `charset` other than UTF-8 in
 * the content type is refused with 415, bytes that are not valid UTF-8 with 400 (instead of
 * being decoded into U+FFFD and stored), and text that is not JSON with 400. A leading BOM is
 * ignored, as RFC 8259 §8.1 allows.
 * @internal
 */
export async function readJsonBody(c: Context, contentType: string): Promise<unknown> {
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(415, 'A JSON request body must be UTF-8 (RFC 8259).');
  }
  let bytes: ArrayBuffer;
  try {
    bytes = await c.req.arrayBuffer();
  } catch (error) {
    // The body limit's 413, a slow body's 408: as they are. Anything else: an unreadable body.
    if (typeof error === 'object' && error !== null && 'status' in error) throw error;
    throw new HttpError(400, 'The request body could not be read.');
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new HttpError(400, 'The JSON request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Malformed JSON in request body.');
  }
}
