import { type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';

const UNSAFE_VALUE = /[\r\n]|^\s|\s$/;

/**
 * NATS headers from a plain record (its names are distinct). The client's `append` searches
 * every key already set and validates each one (quadratic in the header count, ~3 µs for the
 * CloudEvents headers): values that need no fixing go straight into the map the client
 * encodes from, when it has one; anything else takes `append`.
 */
export function toNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  const map = (h as { headers?: unknown }).headers;
  const direct = map instanceof Map ? (map as Map<string, string[]>) : undefined;
  for (const name in record) {
    const value = record[name]!;
    if (direct !== undefined && !UNSAFE_VALUE.test(value) && !direct.has(name)) {
      direct.set(name, [value]);
    } else {
      h.append(name, value);
    }
  }
  return h;
}

/** A plain record (lower-case names, first value of each) from NATS headers. */
export function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  // One pass over the entries: `get(name)` would search every key again for each name.
  for (const [name, values] of h) {
    if (values.length > 0) out[name.toLowerCase()] = values[0]!;
  }
  return out;
}
