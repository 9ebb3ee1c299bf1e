import { describe, expect, it } from 'vitest';
import {
  type CloudEventEnvelope,
  decodeBinary,
  encodeBinary,
  type ProtocolBinding,
} from '../src/index.js';

const text = new TextEncoder();
const envelope: CloudEventEnvelope = {
  attributes: {
    specversion: '1.0',
    id: 'e-1',
    source: '/orders',
    type: 'order.placed.v1',
    time: '2026-01-31T12:00:00.000Z',
    datacontenttype: 'application/json',
    subject: 'Euro € 😀 "quoted" 100%',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    partitionkey: 'o-1',
    extensions: { tenant: 'acme' },
  },
  data: text.encode('{"orderId":"o-1"}'),
};

describe('CloudEvents binary content mode', () => {
  it.each<ProtocolBinding>(['http', 'nats'])(
    'round-trips every attribute over the %s binding',
    (binding) => {
      const message = encodeBinary(envelope, binding);
      const decoded = decodeBinary({ ...message, binding });
      expect(decoded).toEqual({ ok: true, envelope });
    },
  );

  it('puts datacontenttype in Content-Type over HTTP and in ce-datacontenttype over NATS', () => {
    expect(encodeBinary(envelope, 'http').headers['content-type']).toBe('application/json');
    expect(encodeBinary(envelope, 'nats').headers['ce-datacontenttype']).toBe('application/json');
  });

  it('percent-encodes header values outside printable ASCII as the bindings require', () => {
    expect(encodeBinary(envelope, 'nats').headers['ce-subject']).toBe(
      'Euro%20%E2%82%AC%20%F0%9F%98%80%20%22quoted%22%20100%25',
    );
  });

  it('reads header names in any case', () => {
    const result = decodeBinary({
      headers: { 'CE-SpecVersion': '1.0', 'Ce-Id': 'x', 'ce-source': '/s', 'CE-TYPE': 't.v1' },
      body: new Uint8Array(),
      binding: 'http',
    });
    expect(result.ok && result.envelope.attributes.id).toBe('x');
  });

  it('reports a message without CloudEvents attributes as poison naming what is missing', () => {
    const result = decodeBinary({ headers: {}, body: text.encode('{}'), binding: 'nats' });
    expect(result).toMatchObject({ ok: false, reason: 'missing-attributes' });
    expect(!result.ok && result.detail).toContain('ce-id');
  });

  it('reports an unsupported specversion as an invalid attribute', () => {
    const { headers, body } = encodeBinary(envelope, 'nats');
    const result = decodeBinary({
      headers: { ...headers, 'ce-specversion': '0.3' },
      body,
      binding: 'nats',
    });
    expect(result).toMatchObject({ ok: false, reason: 'invalid-attribute' });
  });

  it('reports invalid UTF-8 in a percent-encoded value as an invalid attribute', () => {
    const { headers, body } = encodeBinary(envelope, 'nats');
    const result = decodeBinary({
      headers: { ...headers, 'ce-subject': '%C0%A0' },
      body,
      binding: 'nats',
    });
    expect(result).toMatchObject({ ok: false, reason: 'invalid-attribute' });
  });

  it('reports non-JSON data as an unsupported content type', () => {
    const { headers, body } = encodeBinary(envelope, 'http');
    const result = decodeBinary({
      headers: { ...headers, 'content-type': 'text/plain' },
      body,
      binding: 'http',
    });
    expect(result).toMatchObject({ ok: false, reason: 'unsupported-content-type' });
  });

  it('reports a body over the limit as too large', () => {
    const { headers } = encodeBinary(envelope, 'nats');
    const result = decodeBinary({
      headers,
      body: new Uint8Array(11),
      binding: 'nats',
      maxBodyBytes: 10,
    });
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
  });
});
