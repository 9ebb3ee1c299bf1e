import { type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';

/** NATS headers from a plain record (its names are distinct, so each is appended once). */
export function toNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  for (const name in record) h.append(name, record[name]!);
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
