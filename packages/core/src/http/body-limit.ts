import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError } from '../errors/http-error.js';

/**
 * The request body limit (hono/body-limit): a larger body is refused with a 413 problem.
 *
 * A body of declared length (`Content-Length`, no `Transfer-Encoding`) within the limit is let
 * through from its headers alone, without touching `c.req.raw.body` — as hono/body-limit decides
 * it too, but that middleware asks for the body first, which on @hono/node-server builds the
 * Fetch request and starts its body stream (`Readable.toWeb`, a copy of every chunk) before the
 * handler runs; a handler that streams the Node request itself (the resilience proxy) could then
 * no longer. Node's HTTP parser ends such a body at its declared length, so nothing more can
 * arrive. Everything else (over the limit, chunked, no length) goes to hono/body-limit as before.
 * @internal
 */
export function requestBodyLimit(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HttpError(413, `The request body is larger than ${maxBytes} bytes.`);
    },
  });
  return function requestBodyLimit(c, next) {
    const headers = c.req.raw.headers;
    const declared = headers.get('content-length');
    if (
      declared !== null &&
      !headers.has('transfer-encoding') &&
      Number.parseInt(declared, 10) <= maxBytes
    ) {
      return next();
    }
    return limit(c, next);
  };
}
