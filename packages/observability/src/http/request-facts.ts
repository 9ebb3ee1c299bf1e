import type { NodeHeaders } from '../propagation.js';

/** What every signal of a request needs, read once. @internal */
export interface RequestFacts {
  /** The semconv method: a known method, else `_OTHER`. */
  method: string;
  /** `http` or `https`. */
  scheme: string;
  /** Node's header record on @hono/node-server (no Fetch `Headers` materialised). */
  node: NodeHeaders | undefined;
}
