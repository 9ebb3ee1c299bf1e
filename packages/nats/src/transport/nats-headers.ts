import { type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';

/** NATS headers from a plain record. */
export function toNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  for (const name in record) h.set(name, record[name]!);
  return h;
}

/** A plain record (lower-case names, first value of each) from NATS headers. */
export function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const name of h.keys()) out[name.toLowerCase()] = h.get(name);
  return out;
}
