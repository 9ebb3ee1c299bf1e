/**
 * A span exporter that appends each finished span as one JSON object a line to a file, so the
 * demo and the end-to-end tests can read a whole trace across processes without a collector.
 * Every storefront service appends to the same file (each write is one append).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TraceExporterChoice } from '@milkyway/observability/setup';

type SpanExporter = Extract<TraceExporterChoice, object>;
type ReadableSpan = Parameters<SpanExporter['export']>[0][number];

/** One line of the file. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** SpanKind number: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: number;
  /** `service.name` of the process that recorded it. */
  service: string;
  startTimeMs: number;
  durationMs: number;
  /** SpanStatusCode: 0 unset, 1 ok, 2 error. */
  status: number;
  attributes: Record<string, unknown>;
}

const toMs = ([seconds, nanos]: [number, number]) => seconds * 1e3 + nanos / 1e6;

function toRecord(span: ReadableSpan): SpanRecord {
  const context = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(parent && { parentSpanId: parent }),
    name: span.name,
    kind: span.kind,
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    startTimeMs: toMs(span.startTime),
    durationMs: toMs(span.duration),
    status: span.status.code,
    attributes: { ...span.attributes },
  };
}

/** Creates the exporter; pass it as `setupTelemetry({ traces: jsonLinesSpanExporter(file) })`. */
export function jsonLinesSpanExporter(file: string): SpanExporter {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return {
    export(spans, done) {
      const text = spans.map((span) => JSON.stringify(toRecord(span))).join('\n');
      fs.appendFile(file, `${text}\n`, (error) => done(error ? { code: 1, error } : { code: 0 }));
    },
    async shutdown() {},
    async forceFlush() {},
  };
}
