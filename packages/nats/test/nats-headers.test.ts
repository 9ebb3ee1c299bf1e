import type { JsMsg } from '@nats-io/jetstream';
import { MsgHdrsImpl } from '@nats-io/nats-core/internal';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import {
  deliveryCountOf,
  fromNatsHeaders,
  headersOfMessage,
  parseHeaderBlock,
  publishHeaders,
  toNatsHeaders,
} from '../src/transport/nats-headers.js';

const encoder = new TextEncoder();

/** What the transport read before: the client's own decoding, then fromNatsHeaders. */
const viaClient = (block: string) =>
  fromNatsHeaders(MsgHdrsImpl.decode(encoder.encode(block)) as never);

describe('reading the header block of a received message', () => {
  const blocks: Record<string, string> = {
    'CloudEvents headers': [
      'NATS/1.0',
      'ce-specversion: 1.0',
      'ce-id: 0b9a4a3e-8d4e-4b7e-9d7e-1c2b3a4d5e6f',
      'ce-source: /orders',
      'ce-type: order.placed.v1',
      'ce-time: 2026-12-05T17:00:00.000Z',
      'content-type: application/json',
      'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'Nats-Msg-Id: 0b9a4a3e-8d4e-4b7e-9d7e-1c2b3a4d5e6f',
      '',
      '',
    ].join('\r\n'),
    'no headers, status line only': 'NATS/1.0\r\n\r\n',
    'values trimmed, colons inside values kept': 'NATS/1.0\r\nA:   x: y  \r\nB:\r\n\r\n',
    'lines without a colon skipped': 'NATS/1.0\r\nnot a header\r\nX-Ok: 1\r\n\r\n',
    'the same name twice keeps the first value': 'NATS/1.0\r\nX-A: 1\r\nX-A: 2\r\n\r\n',
    'names differing in case': 'NATS/1.0\r\nX-A: 1\r\nx-a: 2\r\nX-A: 3\r\n\r\n',
    'a name that looks like an Object property':
      'NATS/1.0\r\nconstructor: c\r\nToString: t\r\n\r\n',
    'a name that is a prefix of another': 'NATS/1.0\r\nX-AB: 1\r\nX-A: 2\r\nX-AB: 3\r\n\r\n',
    'no final blank line': 'NATS/1.0\r\nX-A: 1',
  };
  for (const [label, block] of Object.entries(blocks)) {
    it(`gives what the client's decoding gives: ${label}`, () => {
      expect(parseHeaderBlock(block)).toEqual(viaClient(block));
    });
  }

  it('reads the raw block of the client message, or falls back to message.headers', () => {
    const block = 'NATS/1.0\r\nce-id: 1\r\nX-Origin: legacy\r\n\r\n';
    const bytes = encoder.encode(`${block}{"a":1}`);
    const raw = { msg: { _rdata: bytes, _msg: { hdr: encoder.encode(block).byteLength } } };
    expect(headersOfMessage(raw as unknown as JsMsg)).toEqual({
      'ce-id': '1',
      'x-origin': 'legacy',
    });
    const none = { msg: { _rdata: encoder.encode('{}'), _msg: { hdr: -1 } } };
    expect(headersOfMessage(none as unknown as JsMsg)).toEqual({});
    const h = natsHeaders();
    h.set('X-Other', 'yes');
    const opaque = { headers: h };
    expect(headersOfMessage(opaque as unknown as JsMsg)).toEqual({ 'x-other': 'yes' });
  });
});

describe('the delivery count from the reply subject', () => {
  const message = (reply: string, fallback = -1) =>
    ({ reply, info: { deliveryCount: fallback } }) as unknown as JsMsg;

  it('reads the 9-token subject', () => {
    expect(
      deliveryCountOf(message('$JS.ACK.ORDERS.workers.3.1042.998.1733400000000000000.17')),
    ).toBe(3);
  });

  it('reads the subjects with domain and account hash (11 and 12 tokens)', () => {
    expect(
      deliveryCountOf(
        message('$JS.ACK.hub.ACCHASH.ORDERS.workers.12.1042.998.1733400000000000000.0'),
      ),
    ).toBe(12);
    expect(
      deliveryCountOf(
        message('$JS.ACK._.ACCHASH.ORDERS.workers.1.1042.998.1733400000000000000.0.r4nd0m'),
      ),
    ).toBe(1);
  });

  it("asks the client's info for any other shape", () => {
    expect(deliveryCountOf(message('_INBOX.abc', 7))).toBe(7);
    expect(deliveryCountOf(message('$JS.ACK.S.c.x1.2.3.4.5', 4))).toBe(4);
    expect(deliveryCountOf(message('$JS.ACK.S.c.2.3.4.5', 5))).toBe(5);
  });
});

describe('the headers of a publish', () => {
  const record = {
    'ce-specversion': '1.0',
    'ce-id': 'e-1',
    'ce-type': 'order.placed.v1',
    'content-type': 'application/json',
  };
  const viaClientEncode = (r: Record<string, string>, msgId: string) => {
    const h = toNatsHeaders(r);
    h.set('Nats-Msg-Id', msgId);
    return new TextDecoder().decode((h as unknown as { encode(): Uint8Array }).encode());
  };
  const encoded = (h: unknown) =>
    new TextDecoder().decode((h as { encode(): Uint8Array }).encode());

  it("writes the same bytes as the client's header map with msgID", () => {
    expect(encoded(publishHeaders(record, 'e-1'))).toBe(viaClientEncode(record, 'e-1'));
  });

  it("takes the client's path for values it would trim or reject", () => {
    const odd = { ...record, 'x-pad': ' padded ' };
    expect(encoded(publishHeaders(odd, 'e-1'))).toBe(viaClientEncode(odd, 'e-1'));
    expect(() => publishHeaders({ 'x-bad': 'a\r\nb' }, 'e-1')).toThrow(/\\r or \\n/);
  });

  it('behaves as a client header map when asked anything else', () => {
    const h = publishHeaders(record, 'e-1');
    expect(h.get('Nats-Msg-Id')).toBe('e-1');
    expect(h.get('ce-type')).toBe('order.placed.v1');
    h.set('X-Later', 'yes');
    expect(encoded(h)).toContain('X-Later: yes');
    expect([...h].map(([k]) => k)).toContain('Nats-Msg-Id');
  });
});
