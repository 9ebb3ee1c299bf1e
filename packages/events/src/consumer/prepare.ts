import type { Topic } from '../topic.js';
import type { Delivery } from '../transport/transport.js';
import type { DeadLetterReason } from './dead-letter.js';
import type { ReceivedEvent } from './handler.js';

/** A delivery turned into a typed event, or the reason it is poison. */
export type Prepared =
  | { readonly ok: true; readonly event: ReceivedEvent }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly detail: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The decode-and-validate step: CloudEvents attributes (decoded by the transport), size,
 * `type` among the subscribed topics, UTF-8 JSON, then the topic's schema. Never throws.
 */
export function prepare(
  delivery: Delivery,
  topics: ReadonlyMap<string, Topic>,
  maxMessageBytes: number,
): Prepared {
  const message = delivery.message;
  if (!message.ok) return { ok: false, reason: message.reason, detail: message.detail };
  const { attributes, data } = message.envelope;
  if (data.byteLength > maxMessageBytes) {
    return {
      ok: false,
      reason: 'too-large',
      detail: `data is ${data.byteLength} bytes, the consumer's limit is ${maxMessageBytes}`,
    };
  }
  const topic = topics.get(attributes.type);
  if (!topic) {
    return {
      ok: false,
      reason: 'wrong-type',
      detail: `type ${JSON.stringify(attributes.type)} is not one of ${[...topics.keys()].join(', ')}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch (error) {
    return {
      ok: false,
      reason: 'invalid-json',
      detail: `data is not UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const parsed = topic.parse(json);
  if (!parsed.ok) {
    return { ok: false, reason: 'schema', detail: `${topic.type} schema: ${parsed.message}` };
  }
  return {
    ok: true,
    event: {
      topic,
      type: topic.type,
      id: attributes.id,
      source: attributes.source,
      subject: attributes.subject,
      time: attributes.time,
      key: attributes.partitionkey,
      data: parsed.value,
      attributes,
    },
  };
}
