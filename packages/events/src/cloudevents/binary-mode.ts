import {
  CLOUDEVENTS_SPEC_VERSION,
  type CloudEventAttributes,
  KNOWN_ATTRIBUTES,
} from './attributes.js';
import type { DecodeResult } from './decode-result.js';
import type { CloudEventEnvelope } from './envelope.js';
import { decodeHeaderValue, encodeHeaderValue } from './header-value.js';
import type { PoisonReason } from './poison.js';

/**
 * Which CloudEvents protocol binding a transport speaks, for binary content mode:
 * - `'http'`: every attribute is a `ce-<name>` header except `datacontenttype`, which is the
 *   `Content-Type` header (HTTP Protocol Binding 1.0 §3.1);
 * - `'nats'`: every attribute, `datacontenttype` included, is a `ce-<name>` header (NATS
 *   Protocol Binding 1.0.3 §3.1).
 *
 * @example
 * ```ts
 * import type { ProtocolBinding } from '@milkyway/events';
 *
 * const binding: ProtocolBinding = 'nats';
 * ```
 */
export type ProtocolBinding = 'http' | 'nats';

/**
 * A message in binary content mode: attribute headers (lower-case names) and the data as body.
 *
 * @example
 * ```ts
 * import type { BinaryMessage } from '@milkyway/events';
 *
 * const message: BinaryMessage = {
 *   headers: { 'ce-specversion': '1.0', 'ce-id': 'e-1', 'ce-source': '/orders', 'ce-type': 'order.placed.v1' },
 *   body: new TextEncoder().encode('{}'),
 * };
 * ```
 */
export interface BinaryMessage {
  /** Header names in lower case, values percent-encoded per the binding. */
  readonly headers: Readonly<Record<string, string>>;
  /** The event data. */
  readonly body: Uint8Array;
}

const PREFIX = 'ce-';
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;

/**
 * Maps an envelope to binary content mode for a binding: attribute headers and the data as the
 * body (not copied).
 *
 * @example
 * ```ts
 * import { encodeBinary } from '@milkyway/events';
 *
 * const { headers, body } = encodeBinary(
 *   {
 *     attributes: { specversion: '1.0', id: 'e-1', source: '/orders', type: 'order.placed.v1', datacontenttype: 'application/json' },
 *     data: new TextEncoder().encode('{"orderId":"o-1"}'),
 *   },
 *   'http',
 * );
 * headers['ce-type']; // 'order.placed.v1'
 * headers['content-type']; // 'application/json'
 * console.info(headers, body.byteLength); // POST these headers with this body
 * ```
 */
export function encodeBinary(
  envelope: CloudEventEnvelope,
  binding: ProtocolBinding,
): BinaryMessage {
  const a = envelope.attributes;
  const headers: Record<string, string> = {
    'ce-specversion': a.specversion,
    'ce-id': encodeHeaderValue(a.id),
    'ce-source': encodeHeaderValue(a.source),
    'ce-type': encodeHeaderValue(a.type),
  };
  if (a.time !== undefined) headers['ce-time'] = a.time;
  if (a.datacontenttype !== undefined) {
    headers[binding === 'http' ? 'content-type' : 'ce-datacontenttype'] = a.datacontenttype;
  }
  if (a.subject !== undefined) headers['ce-subject'] = encodeHeaderValue(a.subject);
  if (a.traceparent !== undefined) headers['ce-traceparent'] = encodeHeaderValue(a.traceparent);
  if (a.tracestate !== undefined) headers['ce-tracestate'] = encodeHeaderValue(a.tracestate);
  if (a.partitionkey !== undefined) headers['ce-partitionkey'] = encodeHeaderValue(a.partitionkey);
  if (a.extensions) {
    for (const [name, value] of Object.entries(a.extensions)) {
      headers[PREFIX + name] = encodeHeaderValue(value);
    }
  }
  return { headers, body: envelope.data };
}

/**
 * Options of {@link decodeBinary}.
 *
 * @example
 * ```ts
 * import type { DecodeBinaryOptions } from '@milkyway/events';
 *
 * const options: DecodeBinaryOptions = {
 *   headers: { 'ce-id': 'e-1' },
 *   body: new Uint8Array(),
 *   binding: 'nats',
 *   maxBodyBytes: 1_048_576,
 * };
 * ```
 */
export interface DecodeBinaryOptions {
  /** The received headers, any case (a `Headers` object: pass `Object.fromEntries(headers)`). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The received body. */
  readonly body: Uint8Array;
  /** The binding the message arrived on. */
  readonly binding: ProtocolBinding;
  /** Bodies larger than this are poison (`too-large`); unlimited when absent. */
  readonly maxBodyBytes?: number | undefined;
}

/**
 * Reads a binary-mode message back into an envelope. It never throws: a message that is not a
 * valid CloudEvent comes back as `{ ok: false, reason, detail }` so that the consumer can
 * dead-letter it as a poison message. It checks the required attributes, `specversion`
 * `1.0`, the `time` format, a JSON `datacontenttype` (absent means JSON) and the size; it does
 * not parse the data (the consumer does, against the topic's schema).
 *
 * @example
 * ```ts
 * import { decodeBinary } from '@milkyway/events';
 *
 * const result = decodeBinary({
 *   headers: { 'ce-specversion': '1.0', 'ce-id': 'e-1', 'ce-source': '/orders', 'ce-type': 'order.placed.v1' },
 *   body: new TextEncoder().encode('{"orderId":"o-1"}'),
 *   binding: 'nats',
 * });
 * if (result.ok) console.info(result.envelope.attributes.type);
 * else console.warn(`poison (${result.reason}): ${result.detail}`);
 * ```
 */
export function decodeBinary(options: DecodeBinaryOptions): DecodeResult {
  const found: Record<string, string> = {};
  let extensions: Record<string, string> | undefined;
  let contentType: string | undefined;
  const headers = options.headers;
  // for-in over own keys (a plain record): no array of entries per message.
  for (const rawName in headers) {
    if (!Object.hasOwn(headers, rawName)) continue;
    const rawValue = headers[rawName];
    if (rawValue === undefined) continue;
    const name = rawName.toLowerCase();
    if (name === 'content-type' && options.binding === 'http') {
      contentType = rawValue;
      continue;
    }
    if (!name.startsWith(PREFIX)) continue;
    const attribute = name.slice(PREFIX.length);
    const value = decodeHeaderValue(rawValue);
    if (value === undefined) {
      return poison(
        'invalid-attribute',
        `header ${name} is not valid percent-encoded UTF-8`,
        found,
      );
    }
    if (KNOWN_ATTRIBUTES.has(attribute)) found[attribute] = value;
    else if (EXTENSION_NAME.test(attribute)) {
      extensions ??= {};
      extensions[attribute] = value;
    }
  }
  if (options.binding === 'nats' && found.datacontenttype === undefined) {
    contentType = options.headers['content-type'] ?? options.headers['Content-Type'];
  }
  if (found.datacontenttype === undefined && contentType !== undefined) {
    found.datacontenttype = contentType;
  }

  if (!found.specversion || !found.id || !found.source || !found.type) {
    const missing = REQUIRED.filter((n) => !found[n]);
    return poison(
      'missing-attributes',
      `not a CloudEvent: missing ${missing.map((n) => PREFIX + n).join(', ')}`,
      found,
    );
  }
  if (found.specversion !== CLOUDEVENTS_SPEC_VERSION) {
    return poison(
      'invalid-attribute',
      `unsupported specversion ${JSON.stringify(found.specversion)} (expected "1.0")`,
      found,
    );
  }
  if (found.time !== undefined && !RFC3339.test(found.time)) {
    return poison(
      'invalid-attribute',
      `ce-time ${JSON.stringify(found.time)} is not RFC 3339`,
      found,
    );
  }
  if (found.datacontenttype !== undefined && !isJson(found.datacontenttype)) {
    return poison(
      'unsupported-content-type',
      `datacontenttype ${JSON.stringify(found.datacontenttype)} is not JSON`,
      found,
    );
  }
  if (options.maxBodyBytes !== undefined && options.body.byteLength > options.maxBodyBytes) {
    return poison(
      'too-large',
      `data is ${options.body.byteLength} bytes, the limit is ${options.maxBodyBytes}`,
      found,
    );
  }
  const attributes = found as Record<string, string | Record<string, string>>;
  if (extensions !== undefined) attributes.extensions = extensions;
  return {
    ok: true,
    envelope: { attributes: attributes as unknown as CloudEventAttributes, data: options.body },
  };
}

function isJson(mediaType: string): boolean {
  if (mediaType === 'application/json') return true; // what every Milkyway publisher sends
  const essence = mediaType.split(';', 1)[0]!.trim().toLowerCase();
  return essence === 'application/json' || essence.endsWith('+json');
}

function poison(reason: PoisonReason, detail: string, found: Record<string, string>): DecodeResult {
  return { ok: false, reason, detail, attributes: { ...found } as Partial<CloudEventAttributes> };
}
