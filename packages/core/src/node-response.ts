import { ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '@milkyway/protocol';
import { kState, type NodeOutgoing, type RequestState } from './request-signal.js';

/** What the kernel needs of a Node response to add its default headers. */
type Outgoing = NodeOutgoing & {
  setHeader(name: string, value: string): unknown;
  hasHeader(name: string): boolean;
  removeHeader(name: string): unknown;
  writeHead: (statusCode: number, reason?: unknown, headers?: unknown) => unknown;
};

const UPPER = /[A-Z]/;

/**
 * What a 304 must not carry (RFC 9110 §15.4.5: only Content-Location, Date, ETag, Vary,
 * Cache-Control and Expires of the 200, no other representation metadata). @hono/node-server
 * gives every response without one a `content-type: text/plain`, 304s included.
 */
const REPRESENTATION_METADATA = ['content-type', 'content-encoding', 'content-language'] as const;

function dropRepresentationMetadata(headers: Record<string, unknown>): void {
  for (const key in headers) {
    const name = key.toLowerCase();
    if ((REPRESENTATION_METADATA as readonly string[]).includes(name)) delete headers[key];
  }
}
type WriteHead = (statusCode: number, reason?: unknown, headers?: unknown) => unknown;
const nodeWriteHead = ServerResponse.prototype.writeHead as unknown as WriteHead;

/**
 * Adds the request id and the static security headers to the header object @hono/node-server
 * passes to `writeHead`, unless the response (or an earlier `setHeader`) has them: Node then
 * validates and serialises them in the same pass as the response's own headers, and no
 * `Headers` object is edited after the handler. Node's own parameters, not a rest array: this
 * runs for every response.
 */
function writeHeadWithDefaults(
  this: Outgoing,
  statusCode: number,
  reason?: unknown,
  obj?: unknown,
): unknown {
  const state = this[kState];
  if (state === undefined) return nodeWriteHead.call(this, statusCode, reason, obj);
  // writeHead(status, headers) or writeHead(status, reasonPhrase, headers)
  const last = typeof reason === 'string' ? obj : reason;
  if (typeof last === 'object' && last !== null && !Array.isArray(last)) {
    const headers = last as Record<string, unknown>;
    // Keys are lower case (Headers) except node-server's own Content-Length; a response built
    // from a plain object may keep the user's casing: then compare case-insensitively.
    let present: Set<string> | undefined;
    for (const key in headers) {
      if (key !== 'Content-Length' && UPPER.test(key)) {
        present = new Set();
        for (const k in headers) present.add(k.toLowerCase());
        break;
      }
    }
    const defaults = state.defaults;
    if (defaults !== undefined) {
      for (let i = 0; i < defaults.length; i++) {
        const [name, value] = defaults[i] as readonly [string, string];
        if (headers[name] === undefined && !present?.has(name) && !this.hasHeader(name))
          headers[name] = value;
      }
    }
    if (
      headers[REQUEST_ID_HEADER] === undefined &&
      !present?.has(REQUEST_ID_HEADER) &&
      !this.hasHeader(REQUEST_ID_HEADER)
    ) {
      headers[REQUEST_ID_HEADER] = state.requestId;
    }
    if (statusCode === 304) dropRepresentationMetadata(headers);
  } else {
    for (const [name, value] of state.defaults ?? [])
      if (!this.hasHeader(name)) this.setHeader(name, value);
    if (!this.hasHeader(REQUEST_ID_HEADER)) this.setHeader(REQUEST_ID_HEADER, state.requestId);
  }
  if (statusCode === 304) for (const name of REPRESENTATION_METADATA) this.removeHeader(name);
  return nodeWriteHead.call(this, statusCode, reason, obj);
}

/**
 * Hands the request state to the Node response so that `writeHead` adds the request id and the
 * static security headers. The method is installed on the response itself: measured free, while
 * a `class extends ServerResponse` given to `createServer` cost ~3 µs a request on Node 20.
 * A response that is not a ServerResponse (HTTP/2 compatibility) gets `setHeader`s up front.
 * @internal
 */
export function prepareNodeResponse(outgoing: NodeOutgoing, state: RequestState): void {
  const out = outgoing as Outgoing;
  // Already answered by the server (a body Node could not parse): nothing more goes out.
  if ((out as { writableEnded?: boolean }).writableEnded) return;
  out[kState] = state;
  if (out instanceof ServerResponse) {
    (out as Outgoing).writeHead = writeHeadWithDefaults;
    return;
  }
  // e.g. an HTTP/2 compatibility response: headers set up front, the response's own win.
  for (const [name, value] of state.defaults ?? []) out.setHeader(name, value);
  out.setHeader(REQUEST_ID_HEADER, state.requestId);
}
