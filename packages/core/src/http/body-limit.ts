import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError } from '../errors/http-error.js';

/**
 * The request body limit (hono/body-limit): a larger body is refused with a 413 problem.
 * @internal
 */
export function requestBodyLimit(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HttpError(413, `The request body is larger than ${maxBytes} bytes.`);
    },
  });
}
