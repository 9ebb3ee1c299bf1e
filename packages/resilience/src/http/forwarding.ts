/**
 * Internal: the forwarding headers (`X-Forwarded-*`, RFC 7239 `Forwarded`) a gateway sends.
 * What a client wrote there is believed only when the socket peer is a trusted proxy (which
 * vouches for its own additions); from anyone else it is dropped and the gateway states what it
 * saw itself: the peer's address, the Host it was asked for, the scheme it was reached by.
 */
export interface Forwarding {
  /** The socket peer's address, when the runtime tells it. */
  peer: string | undefined;
  /** The request URL as the gateway received it (host from Host, scheme of the connection). */
  url: URL;
  /** Whether the peer is a trusted proxy. */
  trusted: boolean;
  /** Whether the gateway adds its own `X-Forwarded-For/Host/Proto`. */
  add: boolean;
}

/** Internal: whether `name` (lower case) is a forwarding header. */
export function isForwarding(name: string): boolean {
  return name === 'forwarded' || name.startsWith('x-forwarded-');
}

/** Replaces the forwarding headers of `headers` (read from `original`, the client's headers). */
export function setForwarding(headers: Headers, original: Headers, f: Forwarding): void {
  const names: string[] = [];
  headers.forEach((_value, name) => {
    if (isForwarding(name)) names.push(name);
  });
  for (const name of names) headers.delete(name);
  if (f.trusted) {
    // Read from the original headers, so a Connection list cannot have removed them.
    original.forEach((value, name) => {
      if (isForwarding(name)) headers.set(name, value);
    });
  }
  if (!f.add) return;
  if (f.peer !== undefined) {
    const prior = f.trusted ? original.get('x-forwarded-for') : null;
    headers.set('x-forwarded-for', prior ? `${prior}, ${f.peer}` : f.peer);
  }
  const host = f.trusted ? original.get('x-forwarded-host') : null;
  headers.set('x-forwarded-host', host ?? f.url.host);
  const proto = f.trusted ? original.get('x-forwarded-proto') : null;
  headers.set('x-forwarded-proto', proto ?? f.url.protocol.slice(0, -1));
}

/**
 * Internal: {@link setForwarding} for a header list being built (`out`, which holds no
 * forwarding header yet): appends what the gateway forwards and states.
 */
export function appendForwarding(out: [string, string][], original: Headers, f: Forwarding): void {
  if (f.trusted) {
    original.forEach((value, name) => {
      if (isForwarding(name)) out.push([name, value]);
    });
  }
  if (!f.add) return;
  const replace = (name: string, value: string) => {
    const i = out.findIndex((pair) => pair[0] === name);
    if (i >= 0) out.splice(i, 1);
    out.push([name, value]);
  };
  if (f.peer !== undefined) {
    const prior = f.trusted ? original.get('x-forwarded-for') : null;
    replace('x-forwarded-for', prior ? `${prior}, ${f.peer}` : f.peer);
  }
  const host = f.trusted ? original.get('x-forwarded-host') : null;
  replace('x-forwarded-host', host ?? f.url.host);
  const proto = f.trusted ? original.get('x-forwarded-proto') : null;
  replace('x-forwarded-proto', proto ?? f.url.protocol.slice(0, -1));
}
