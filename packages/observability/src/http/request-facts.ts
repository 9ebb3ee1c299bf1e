import type { Context } from 'hono';
import { type NodeHeaders, nodeHeaders } from '../propagation.js';
import { normalizeMethod } from '../semconv.js';

/** What every signal of a request needs, read once. @internal */
export interface RequestFacts {
  /** The semconv method: a known method, else `_OTHER`. */
  method: string;
  /** `http` or `https`. */
  scheme: string;
  /** Node's header record on @hono/node-server (no Fetch `Headers` materialised). */
  node: NodeHeaders | undefined;
}

/** @internal */
export function requestFacts(c: Context): RequestFacts {
  const url = c.req.url;
  return {
    method: normalizeMethod(c.req.method),
    scheme: url.startsWith('https:') ? 'https' : 'http',
    node: nodeHeaders(c.env),
  };
}
