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

/**
 * The rate-limit identity of an address: IPv4 as is (IPv4-mapped IPv6 `::ffff:a.b.c.d` becomes
 * `a.b.c.d`), IPv6 cut to its first `ipv6Subnet` bits (a single client usually holds a whole
 * /64, so limiting single IPv6 addresses is easy to dodge). Unparseable input is returned as is.
 *
 * @internal
 */
export function addressKey(address: string, ipv6Subnet: number | false): string {
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (ipv6Subnet === false || ipv6Subnet >= 128) return address.toLowerCase();
  const groups = expandIpv6(address);
  if (!groups) return address;
  let bits = ipv6Subnet;
  const kept: string[] = [];
  for (const group of groups) {
    if (bits <= 0) break;
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    kept.push((group & mask).toString(16));
    bits -= 16;
  }
  return `${kept.join(':')}::/${ipv6Subnet}`;
}

function expandIpv6(address: string): number[] | undefined {
  const zone = address.indexOf('%');
  const text = zone >= 0 ? address.slice(0, zone) : address;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const groups = all.map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16) : Number.NaN));
  return groups.some(Number.isNaN) ? undefined : groups;
}
