import type { Clock } from '@milkyway/protocol';
import { type Context, context as otelContext } from '@opentelemetry/api';
import { EventSchemaError } from '../errors/event-schema-error.js';
import type { Topic, TopicInput } from '../topic.js';
import { traceHeadersOf } from '../tracing/trace-context.js';
import {
  CLOUDEVENTS_SPEC_VERSION,
  type CloudEventAttributes,
  JSON_CONTENT_TYPE,
} from './attributes.js';
import type { CloudEventEnvelope } from './envelope.js';

/**
 * Options of {@link createCloudEvent}.
 *
 * @example
 * ```ts
 * import type { CreateCloudEventOptions } from '@milkyway/events';
 *
 * const options: CreateCloudEventOptions = { source: '/orders', subject: 'o-1' };
 * ```
 */
export interface CreateCloudEventOptions {
  /** The producer, a URI-reference (e.g. `/orders`). */
  source: string;
  /** The event id (default: a random UUID). Give a stable one to make re-publishing idempotent. */
  id?: string | undefined;
  /** The CloudEvents `subject`. */
  subject?: string | undefined;
  /** The ordering key; defaults to the topic's `key(payload)`. */
  key?: string | undefined;
  /** The trace context to carry (default: the active one). */
  context?: Context | undefined;
  /** Epoch-ms clock for `time` (default `Date.now`). */
  clock?: Clock | undefined;
}

const encoder = new TextEncoder();

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Validates a payload against its topic and builds the CloudEvent: a fresh id, the `type` of
 * the topic, `time`, `application/json` data, the ordering key as `partitionkey` and the W3C
 * trace context of the active span (Distributed Tracing extension). The bus publishes through
 * it; an outbox stores its result in the caller's transaction.
 *
 * @throws {EventSchemaError} when the payload fails the schema (nothing is built).
 *
 * @example
 * ```ts
 * import { createCloudEvent, defineTopic } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const orderPlaced = defineTopic({
 *   name: 'order.placed',
 *   version: 1,
 *   schema: z.object({ orderId: z.string() }),
 *   key: (order) => order.orderId,
 * });
 * const envelope = createCloudEvent(orderPlaced, { orderId: 'o-1' }, { source: '/orders' });
 * envelope.attributes.partitionkey; // 'o-1'
 * ```
 */
export function createCloudEvent<T extends Topic>(
  topic: T,
  payload: TopicInput<T>,
  options: CreateCloudEventOptions,
): CloudEventEnvelope {
  const parsed = topic.parse(payload);
  if (!parsed.ok) throw new EventSchemaError(topic.type, parsed.message, parsed.issues);
  // The encoded payload is the schema's output (defaults applied, unknown keys stripped), the
  // same object a consumer's schema will see.
  const data = encoder.encode(JSON.stringify(parsed.value));
  const key = options.key ?? topic.key?.(parsed.value);
  const trace = traceHeadersOf(options.context ?? otelContext.active());
  // Optional attributes are added only when set (no spread of temporary objects per event).
  const attributes: Mutable<CloudEventAttributes> = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id: options.id ?? crypto.randomUUID(),
    source: options.source,
    type: topic.type,
    time: new Date((options.clock ?? Date.now)()).toISOString(),
    datacontenttype: JSON_CONTENT_TYPE,
  };
  if (options.subject !== undefined) attributes.subject = options.subject;
  if (key !== undefined) attributes.partitionkey = key;
  if (trace.traceparent !== undefined) attributes.traceparent = trace.traceparent;
  if (trace.tracestate !== undefined) attributes.tracestate = trace.tracestate;
  return { attributes, data };
}
