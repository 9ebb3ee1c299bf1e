import type { JsMsg } from '@nats-io/jetstream';
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

const VALID_NAME = /^[!-9;-~]+$/;
const utf8Encoder = new TextEncoder();

/**
 * The headers of a JetStream publish: the record's headers, then `Nats-Msg-Id` (what the
 * client's `msgID` option adds), in the exact bytes the client would write for them. The client
 * only calls `encode()` on the headers of a publish; building its header map instead (a `Map`,
 * `set` searching every name for `Nats-Msg-Id`, then `toString()`) costs several times more.
 * Any other method turns the object into a real client header map first, so it behaves as one.
 * Names or values the client would reject or alter go through the client's own path.
 */
export function publishHeaders(record: Readonly<Record<string, string>>, msgId: string): MsgHdrs {
  let text = 'NATS/1.0';
  for (const name in record) {
    const value = record[name]!;
    if (!VALID_NAME.test(name) || UNSAFE_VALUE.test(value)) return withMsgId(record, msgId);
    text += `\r\n${name}: ${value}`;
  }
  if (UNSAFE_VALUE.test(msgId) || Object.hasOwn(record, MSG_ID)) return withMsgId(record, msgId);
  return new EncodedHeaders(`${text}\r\n${MSG_ID}: ${msgId}\r\n\r\n`, record, msgId);
}

const MSG_ID = 'Nats-Msg-Id';

function withMsgId(record: Readonly<Record<string, string>>, msgId: string): MsgHdrs {
  const h = toNatsHeaders(record);
  h.set(MSG_ID, msgId);
  return h;
}

/** Headers already in wire form; a client header map is built only if something asks. */
class EncodedHeaders implements MsgHdrs {
  #real: MsgHdrs | undefined;

  constructor(
    private readonly text: string,
    private readonly record: Readonly<Record<string, string>>,
    private readonly msgId: string,
  ) {}

  #headers(): MsgHdrs {
    this.#real ??= withMsgId(this.record, this.msgId);
    return this.#real;
  }

  encode(): Uint8Array {
    return this.#real === undefined
      ? utf8Encoder.encode(this.text)
      : (this.#real as MsgHdrs & { encode(): Uint8Array }).encode();
  }
  get hasError() {
    return this.#headers().hasError;
  }
  get status() {
    return this.#headers().status;
  }
  get code() {
    return this.#headers().code;
  }
  get description() {
    return this.#headers().description;
  }
  get(k: string, match?: Parameters<MsgHdrs['get']>[1]) {
    return this.#headers().get(k, match);
  }
  set(k: string, v: string, match?: Parameters<MsgHdrs['set']>[2]) {
    this.#headers().set(k, v, match);
  }
  append(k: string, v: string, match?: Parameters<MsgHdrs['append']>[2]) {
    this.#headers().append(k, v, match);
  }
  has(k: string, match?: Parameters<MsgHdrs['has']>[1]) {
    return this.#headers().has(k, match);
  }
  keys() {
    return this.#headers().keys();
  }
  values(k: string, match?: Parameters<MsgHdrs['values']>[1]) {
    return this.#headers().values(k, match);
  }
  delete(k: string, match?: Parameters<MsgHdrs['delete']>[1]) {
    this.#headers().delete(k, match);
  }
  last(k: string, match?: Parameters<MsgHdrs['last']>[1]) {
    return this.#headers().last(k, match);
  }
  [Symbol.iterator]() {
    return this.#headers()[Symbol.iterator]();
  }
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

/** The parts of the client's message object the fast path reads (internal to nats-core 3.x). */
interface RawMessage {
  _rdata?: unknown;
  _msg?: { hdr?: unknown };
}

const utf8 = new TextDecoder();

/**
 * The headers of a received JetStream message as a plain record (lower-case names, first value
 * of each), like {@link fromNatsHeaders} of `message.headers`, but read straight from the
 * message's header block: the client's own decoding builds a header map through `append`,
 * which checks the name's characters, searches every name already set and validates the value
 * again (several µs a message with the CloudEvents headers). When the client's message does
 * not have the expected shape, it falls back to `message.headers`.
 */
export function headersOfMessage(message: JsMsg): Record<string, string> {
  const raw = (message as { msg?: RawMessage }).msg;
  const data = raw?._rdata;
  const hdr = raw?._msg?.hdr;
  if (data instanceof Uint8Array && typeof hdr === 'number' && hdr <= data.byteLength) {
    return hdr > 0 ? parseHeaderBlock(utf8.decode(data.subarray(0, hdr))) : {};
  }
  return fromNatsHeaders(message.headers);
}

/**
 * Parses a NATS header block (`NATS/1.0` line, then `Name: value` lines, CRLF-separated) the
 * way the client does — lines without a colon skipped, values trimmed — into the record
 * {@link fromNatsHeaders} makes of it: names lower-cased; a name repeated with the same case
 * keeps its first value; names that differ only in case: the one that appeared first in a
 * later position wins (the order of the client's header map).
 */
export function parseHeaderBlock(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const length = text.length;
  let start = text.indexOf('\r\n');
  if (start < 0) return out;
  start += 2;
  while (start < length) {
    let end = text.indexOf('\r\n', start);
    if (end < 0) end = length;
    const colon = text.indexOf(':', start);
    if (colon > -1 && colon < end) {
      const name = text.slice(start, colon);
      const lower = name.toLowerCase();
      // Seen before with exactly this name: the client keeps it as a second value.
      const repeated =
        Object.hasOwn(out, lower) && text.lastIndexOf(`\r\n${name}:`, start - 3) > -1;
      if (!repeated) out[lower] = text.slice(colon + 1, end).trim();
    }
    start = end + 2;
  }
  return out;
}

/**
 * The delivery count of a JetStream message, read from its reply subject
 * (`$JS.ACK.<stream>.<consumer>.<delivered>.…`, or with domain and account hash after `ACK`)
 * without splitting it; the client's `info` when the subject has another shape.
 */
export function deliveryCountOf(message: JsMsg): number {
  // `reply` is on the client's message class, not on its JsMsg type.
  const reply = (message as { reply?: unknown }).reply;
  if (typeof reply === 'string' && reply.startsWith('$JS.ACK.')) {
    let dots = 0;
    for (let i = 0; i < reply.length; i++) if (reply.charCodeAt(i) === 46) dots++;
    // 9 tokens: the delivery count is token 4; 11 or 12 tokens (domain, hash): token 6.
    const token = dots === 8 ? 4 : dots >= 10 ? 6 : -1;
    if (token > 0) {
      let at = 0;
      for (let seen = 0; seen < token; at++) if (reply.charCodeAt(at) === 46) seen++;
      let count = 0;
      let digits = 0;
      for (; at < reply.length; at++) {
        const c = reply.charCodeAt(at);
        if (c === 46) break;
        if (c < 48 || c > 57) {
          digits = 0;
          break;
        }
        count = count * 10 + (c - 48);
        digits++;
      }
      if (digits > 0) return count;
    }
  }
  return message.info.deliveryCount;
}
