/**
 * The CloudEvents 1.0 context attributes Milkyway writes and reads: the required ones, the
 * optional `time`, `datacontenttype` and `subject`, the Distributed Tracing extension
 * (`traceparent`, `tracestate`) and the Partitioning extension (`partitionkey`, the ordering
 * key). Any other extension attribute is kept in `extensions`.
 *
 * @example
 * ```ts
 * import type { CloudEventAttributes } from '@milkyway/events';
 *
 * const attributes: CloudEventAttributes = {
 *   specversion: '1.0',
 *   id: '018f3c1e-7d2a-7c4e-9a51-2b0f7e8d9c10',
 *   source: '/orders',
 *   type: 'order.placed.v1',
 *   time: '2026-01-31T12:00:00.000Z',
 *   datacontenttype: 'application/json',
 *   partitionkey: 'order-42',
 * };
 * ```
 */
export interface CloudEventAttributes {
  /** Always `'1.0'`. */
  readonly specversion: '1.0';
  /** Unique per event for its `source`; redeliveries and re-publishes keep it (dedupe key). */
  readonly id: string;
  /** URI-reference naming the producer, e.g. `/orders` or `urn:milkyway:orders`. */
  readonly source: string;
  /** The event type: the topic's `<name>.v<version>`. */
  readonly type: string;
  /** RFC 3339 timestamp of the occurrence. */
  readonly time?: string | undefined;
  /** Media type of the data; Milkyway writes `application/json`. */
  readonly datacontenttype?: string | undefined;
  /** The subject of the event in the context of the source (e.g. the order id). */
  readonly subject?: string | undefined;
  /** W3C `traceparent` of the producer's span (Distributed Tracing extension). */
  readonly traceparent?: string | undefined;
  /** W3C `tracestate` (Distributed Tracing extension). */
  readonly tracestate?: string | undefined;
  /** The ordering key (Partitioning extension). */
  readonly partitionkey?: string | undefined;
  /** Any other extension attributes, by (lower-case) name, as strings. */
  readonly extensions?: Readonly<Record<string, string>> | undefined;
}

/**
 * The `specversion` Milkyway speaks.
 *
 * @example
 * ```ts
 * import { CLOUDEVENTS_SPEC_VERSION } from '@milkyway/events';
 *
 * CLOUDEVENTS_SPEC_VERSION; // '1.0'
 * ```
 */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/**
 * The `datacontenttype` of every event Milkyway publishes.
 *
 * @example
 * ```ts
 * import { JSON_CONTENT_TYPE } from '@milkyway/events';
 *
 * JSON_CONTENT_TYPE; // 'application/json'
 * ```
 */
export const JSON_CONTENT_TYPE = 'application/json';

/** Attribute names with their own member in {@link CloudEventAttributes} (not `extensions`). */
export const KNOWN_ATTRIBUTES: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'datacontenttype',
  'subject',
  'traceparent',
  'tracestate',
  'partitionkey',
]);
