import type { IncomingMessage } from 'node:http';

/**
 * Why a request's Host header field is unacceptable, per RFC 9112 §3.2: "A server MUST respond
 * with a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header
 * field and to any request message that contains more than one Host header field line". Node
 * keeps only the first of several Host lines, so they are counted in the raw headers. An HTTP/1.0
 * request without Host is refused too: the request URL cannot be built without one. Returns
 * `undefined` for an acceptable request. (An invalid Host value is refused where the request URL
 * is built.)
 * @internal
 */
export function hostHeaderProblem(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  let lines = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host'))
      lines++;
  }
  if (lines > 1) return 'The request has more than one Host header field.';
  // HTTP/1.0 may omit Host, but the request URL cannot be built without it: refused as well.
  if (lines === 0) return 'The request has no Host header field.';
  return undefined;
}
