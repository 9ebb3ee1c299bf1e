const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'http2-settings',
];

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1): `Connection` and every header it names,
 * `Keep-Alive`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade` and all `Proxy-*`. Names in
 * `keep` survive even when `Connection` lists them: a sender must not list a field meant for
 * every recipient (RFC 9110 §7.6.1), so a client naming `Authorization` there is abusing the
 * mechanism to strip what a gateway forwards on purpose.
 *
 * @example
 * ```ts
 * import { stripHopByHop } from '@milkyway/resilience/http';
 * const headers = new Headers({ connection: 'close, x-secret, authorization', 'x-secret': '1', authorization: 'Bearer t' });
 * stripHopByHop(headers, ['authorization']); // `authorization` is left
 * ```
 */
export function stripHopByHop(headers: Headers, keep: Iterable<string> = []): Headers {
  const listed = headers.get('connection');
  if (listed !== null) {
    const kept = new Set<string>();
    for (const name of keep) kept.add(name.toLowerCase());
    for (const token of listed.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && !kept.has(name)) headers.delete(name);
    }
  }
  for (const name of HOP_BY_HOP) headers.delete(name);
  const proxied: string[] = [];
  headers.forEach((_value, key) => {
    if (key.startsWith('proxy-')) proxied.push(key);
  });
  for (const key of proxied) headers.delete(key);
  return headers;
}

const HOP_BY_HOP_SET = new Set(HOP_BY_HOP);

/**
 * Internal: the same rule as {@link stripHopByHop} as a test on one lower-case name, for
 * copying headers without building and then trimming a `Headers` object. `connection` is the
 * message's `Connection` value (or null).
 */
export function hopByHopTest(
  connection: string | null | undefined,
  keep: Iterable<string> = [],
): (name: string) => boolean {
  let listed: Set<string> | undefined;
  if (connection !== null && connection !== undefined) {
    const kept = new Set<string>();
    for (const name of keep) kept.add(name.toLowerCase());
    listed = new Set();
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && !kept.has(name)) listed.add(name);
    }
  }
  return (name) =>
    HOP_BY_HOP_SET.has(name) || name.startsWith('proxy-') || listed?.has(name) === true;
}
