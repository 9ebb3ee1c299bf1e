import type { TextMapGetter } from '@opentelemetry/api';

/**
 * Reads propagation fields straight from a Fetch `Headers` object (no copy into a record).
 * @internal
 */
export const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => Array.from(headers.keys()),
};

/** Node's `IncomingMessage.headers`: lowercase names, repeated headers as arrays. @internal */
export type NodeHeaders = Record<string, string | string[] | undefined>;

/**
 * Reads propagation fields from Node's incoming header record: on @hono/node-server this
 * avoids materialising the Fetch `Headers` of the lightweight Request.
 * @internal
 */
export const nodeHeadersGetter: TextMapGetter<NodeHeaders> = {
  get: (headers, key) => headers[key],
  keys: (headers) => Object.keys(headers),
};

/**
 * The Node header record of a request served by @hono/node-server (`c.env.incoming`), if any.
 * @internal
 */
export function nodeHeaders(env: unknown): NodeHeaders | undefined {
  const incoming = (env as { incoming?: { headers?: unknown } } | undefined)?.incoming;
  const headers = incoming?.headers;
  return headers !== null && typeof headers === 'object' ? (headers as NodeHeaders) : undefined;
}

/** The part of Node's `ServerResponse` {@link nodeOutgoing} returns. @internal */
export interface NodeOutgoing {
  setHeader(name: string, value: string): unknown;
  headersSent: boolean;
}

/**
 * Node's `ServerResponse` of a request served by @hono/node-server (`c.env.outgoing`), while
 * its head is not sent yet.
 * @internal
 */
export function nodeOutgoing(env: unknown): NodeOutgoing | undefined {
  const outgoing = (env as { outgoing?: Partial<NodeOutgoing> } | undefined)?.outgoing;
  return outgoing !== undefined &&
    typeof outgoing.setHeader === 'function' &&
    outgoing.headersSent === false
    ? (outgoing as NodeOutgoing)
    : undefined;
}
