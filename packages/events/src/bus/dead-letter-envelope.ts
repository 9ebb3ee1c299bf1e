import type { Clock } from '@milkyway/protocol';
import { createCloudEvent } from '../cloudevents/create-event.js';
import type { CloudEventEnvelope } from '../cloudevents/envelope.js';
import {
  type DeadLetter,
  type DeadLetterReason,
  deadLetterTopic,
} from '../consumer/dead-letter.js';
import { contextFromTraceHeaders } from '../tracing/trace-context.js';
import type { Delivery } from '../transport/transport.js';

/** Builds the dead letter of a delivery: the reason, the error and the original message. */
export function deadLetterEnvelope(
  delivery: Delivery,
  info: { reason: DeadLetterReason; error: string; attempts: number; group: string },
  options: { source: string; clock: Clock; maxBodyBytes: number },
): CloudEventEnvelope {
  const attributes: Record<string, unknown> = delivery.message.ok
    ? { ...delivery.message.envelope.attributes }
    : { ...delivery.message.attributes };
  const body = delivery.body;
  const truncated = body.byteLength > options.maxBodyBytes;
  const kept = truncated ? body.subarray(0, options.maxBodyBytes) : body;
  const data: DeadLetter = {
    reason: info.reason,
    error: info.error,
    attempts: info.attempts,
    destination: delivery.destination,
    group: info.group,
    deadLetteredAt: new Date(options.clock()).toISOString(),
    attributes,
    headers: { ...delivery.headers },
    body: Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength).toString('base64'),
    bodyBytes: body.byteLength,
    bodyTruncated: truncated,
  };
  const original = attributes as {
    id?: unknown;
    partitionkey?: unknown;
    traceparent?: unknown;
    tracestate?: unknown;
  };
  return createCloudEvent(deadLetterTopic, data, {
    source: options.source,
    clock: options.clock,
    subject: typeof original.id === 'string' ? original.id : undefined,
    key: typeof original.partitionkey === 'string' ? original.partitionkey : undefined,
    context: contextFromTraceHeaders(
      typeof original.traceparent === 'string' ? original.traceparent : undefined,
      typeof original.tracestate === 'string' ? original.tracestate : undefined,
    ),
  });
}
