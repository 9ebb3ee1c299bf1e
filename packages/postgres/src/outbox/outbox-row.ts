import type { CloudEventAttributes, CloudEventEnvelope, Topic } from '@milkyway/events';

/** A row of `milkyway_outbox` as the relay reads it. */
export interface OutboxRow {
  id: string;
  destination: string;
  key: string | null;
  sequence: string | null;
  attributes: unknown;
  data: string;
}

/** A row turned into what is published, or why it cannot be (it goes to the dead letter). */
export type DecodedRow =
  | { ok: true; row: OutboxRow; envelope: CloudEventEnvelope }
  | { ok: false; row: OutboxRow; reason: string };

const encoder = new TextEncoder();
const REQUIRED = ['id', 'source', 'type'] as const;

/**
 * Rebuilds the CloudEvent of a row. A row written by `enqueue` always decodes; one written by
 * hand (or damaged) may not: missing attributes, a wrong spec version, data that is not JSON or
 * fails its topic's schema (when the relay knows the topic).
 */
export function decodeRow(row: OutboxRow, topics: ReadonlyMap<string, Topic>): DecodedRow {
  const a = row.attributes as Partial<Record<string, unknown>> | null;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) {
    return { ok: false, row, reason: 'attributes are not a JSON object' };
  }
  for (const name of REQUIRED) {
    if (typeof a[name] !== 'string' || a[name] === '') {
      return { ok: false, row, reason: `attribute ${name} is missing or not a string` };
    }
  }
  if (a.specversion !== '1.0') {
    return { ok: false, row, reason: `unsupported specversion ${JSON.stringify(a.specversion)}` };
  }
  if (typeof row.destination !== 'string' || row.destination === '') {
    return { ok: false, row, reason: 'destination is empty' };
  }
  if (typeof row.data !== 'string') return { ok: false, row, reason: 'data is missing' };
  const topic = topics.get(a.type as string);
  if (topic) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.data);
    } catch {
      return { ok: false, row, reason: 'data is not valid JSON' };
    }
    const result = topic.parse(parsed);
    if (!result.ok) {
      return {
        ok: false,
        row,
        reason: `data fails the schema of ${topic.type}: ${result.message}`,
      };
    }
  }
  let attributes = a as unknown as CloudEventAttributes;
  if (row.sequence !== null) {
    attributes = {
      ...attributes,
      extensions: { ...attributes.extensions, sequence: String(row.sequence) },
    };
  }
  return { ok: true, row, envelope: { attributes, data: encoder.encode(row.data) } };
}
