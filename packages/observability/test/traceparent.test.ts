import { tracing } from '@milkyway/observability';
import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import { isValidTraceId } from '@opentelemetry/api';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// W3C Trace Context, section 3.2: a traceparent that does not parse, uses version ff,
// carries an all-zero trace id or parent id, or is not lowercase hex of the exact lengths
// is ignored, and the receiver starts a new trace.

let telemetry: Telemetry;
beforeEach(() => {
  telemetry = setupTelemetry({
    serviceName: 'test',
    traces: 'memory',
    spanProcessor: 'simple',
    metrics: 'none',
  });
});
afterEach(() => telemetry.shutdown());

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function app() {
  const a = new Hono();
  a.use(tracing());
  a.get('/', (c) => c.text('ok'));
  return a;
}

async function send(traceparent: string, tracestate?: string) {
  const headers: Record<string, string> = { traceparent };
  if (tracestate !== undefined) headers.tracestate = tracestate;
  const response = await app().request('/', { headers });
  const span = telemetry.spans!.getFinishedSpans()[0]!;
  return { response, span };
}

const invalid: Array<[string, string]> = [
  ['version ff', `ff-${TRACE}-${PARENT}-01`],
  ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
  ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
  ['a 31-character trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
  ['a 33-character trace id', `00-${TRACE}a-${PARENT}-01`],
  ['a 15-character parent id', `00-${TRACE}-${PARENT.slice(1)}-01`],
  ['a 1-character flags field', `00-${TRACE}-${PARENT}-1`],
  ['a 3-character version', `000-${TRACE}-${PARENT}-01`],
  ['uppercase hex in the trace id', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
  ['uppercase hex in the parent id', `00-${TRACE}-${PARENT.toUpperCase()}-01`],
  ['non-hex characters', `00-${TRACE.replace('4', 'g')}-${PARENT}-01`],
  ['version 00 followed by extra fields', `00-${TRACE}-${PARENT}-01-extra`],
  ['garbage', 'not a traceparent at all'],
  ['an empty value', ''],
  ['missing separators', `00${TRACE}${PARENT}01`],
  ['two comma-joined headers', `00-${TRACE}-${PARENT}-01, 00-${TRACE}-${PARENT}-01`],
];

describe('an invalid inbound traceparent', () => {
  it.each(invalid)('with %s starts a new trace and the request succeeds', async (_, value) => {
    const { response, span } = await send(value);
    expect(response.status).toBe(200);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe(TRACE);
    expect(isValidTraceId(span.spanContext().traceId)).toBe(true);
    expect(response.headers.get('x-trace-id')).toBe(span.spanContext().traceId);
  });

  it('with control characters and 8 KiB of junk does not crash the request', async () => {
    const { response, span } = await send(`00-${'z'.repeat(8192)}\t-01`);
    expect(response.status).toBe(200);
    expect(span.parentSpanContext).toBeUndefined();
  });
});

describe('a valid inbound traceparent', () => {
  it('with a future version and extra fields is continued using its first four fields', async () => {
    const { span } = await send(`cc-${TRACE}-${PARENT}-01-what-the-future-holds`);
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PARENT);
  });

  it('with the sampled flag unset is continued without recording (parent-based sampler)', async () => {
    const response = await app().request('/', {
      headers: { traceparent: `00-${TRACE}-${PARENT}-00` },
    });
    expect(telemetry.spans!.getFinishedSpans()).toEqual([]);
    expect(response.headers.get('x-trace-id')).toBe(TRACE);
  });

  it('keeps the trace and drops a malformed tracestate', async () => {
    const { span } = await send(`00-${TRACE}-${PARENT}-01`, 'not valid,=,,,@@@');
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.spanContext().traceState?.serialize() ?? '').toBe('');
  });

  it('propagates the valid entries of the tracestate', async () => {
    const { span } = await send(
      `00-${TRACE}-${PARENT}-01`,
      'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    );
    expect(span.spanContext().traceState?.serialize()).toBe(
      'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    );
  });
});
