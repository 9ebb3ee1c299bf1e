import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * Which proxies in front of the service are trusted to append to `X-Forwarded-For`:
 * `false` (none: the socket's peer is the client, the default), a number of proxy hops
 * (e.g. `1` behind one load balancer: the client is the last address it appended), or a
 * function saying whether an address is a trusted proxy (walks the chain from the right).
 *
 * @example
 * ```ts
 * import type { TrustProxy } from '@milkyway/core';
 *
 * const oneLoadBalancer: TrustProxy = 1;
 * const privateRanges: TrustProxy = (ip) => ip.startsWith('10.') || ip === '127.0.0.1';
 * ```
 */
export type TrustProxy = false | number | ((address: string) => boolean);

/**
 * The address of the socket's peer, from `@hono/node-server`'s `getConnInfo`
 * (`c.env.incoming.socket.remoteAddress`); `undefined` on other runtimes or in `app.request()`.
 *
 * @example
 * ```ts
 * import { socketAddress } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * const app = new Hono();
 * app.get('/ip', (c) => c.text(socketAddress(c) ?? 'unknown'));
 * ```
 */
export function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/**
 * The client's address: the socket peer, or with `trustProxy`, the right-most
 * `X-Forwarded-For` entry not added by a trusted proxy (never an entry a client could forge).
 *
 * @example
 * ```ts
 * import { clientAddress } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * const app = new Hono();
 * // Behind one load balancer: the client is the last X-Forwarded-For entry it appended.
 * app.get('/ip', (c) => c.text(clientAddress(c, 1) ?? 'unknown'));
 * ```
 */
export function clientAddress(
  c: Context,
  trustProxy: TrustProxy,
  remote: (c: Context) => string | undefined = socketAddress,
): string | undefined {
  const peer = remote(c);
  if (trustProxy === false || trustProxy === 0) return peer;
  const header = c.req.header('x-forwarded-for');
  if (!header) return peer;
  const chain = header.split(',');
  if (typeof trustProxy === 'number') {
    // addresses from nearest to farthest: peer, then X-Forwarded-For right to left.
    const index = chain.length - trustProxy;
    const picked = index >= 0 ? chain[index] : chain[0];
    return picked?.trim() || peer;
  }
  if (peer !== undefined && !trustProxy(peer)) return peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    const address = chain[i]!.trim();
    if (!trustProxy(address) || i === 0) return address || peer;
  }
  return peer;
}
