import type { CloudEventAttributes } from './attributes.js';

/**
 * One CloudEvent as transports carry it: the context attributes and the data as bytes (the
 * UTF-8 JSON of the payload). Transports map it to their protocol binding's binary content
 * mode with {@link encodeBinary} and back with {@link decodeBinary}.
 *
 * @example
 * ```ts
 * import type { CloudEventEnvelope } from '@milkyway/events';
 *
 * const envelope: CloudEventEnvelope = {
 *   attributes: { specversion: '1.0', id: 'e-1', source: '/orders', type: 'order.placed.v1' },
 *   data: new TextEncoder().encode('{"orderId":"o-1"}'),
 * };
 * ```
 */
export interface CloudEventEnvelope {
  /** The context attributes. */
  readonly attributes: CloudEventAttributes;
  /** The event data, encoded as `attributes.datacontenttype` says (UTF-8 JSON). */
  readonly data: Uint8Array;
}
