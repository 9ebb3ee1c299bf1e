import { createLogger, observability } from '@milkyway/observability';
import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import type { Logger } from '@milkyway/protocol';
import { SpanStatusCode } from '@opentelemetry/api';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import { type Sampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineCollector, listen } from './helpers.js';

let telemetry: Telemetry;
beforeEach(() => {
  telemetry = setupTelemetry({
    serviceName: 'test',
    traces: 'memory',
    spanProcessor: 'simple',
    metrics: 'memory',
  });
});
afterEach(() => telemetry.shutdown());

/** What the three signals recorded for the requests sent so far. */
async function signals(lines: Array<Record<string, unknown>>) {
  const spans = telemetry.spans!.getFinishedSpans();
  const resourceMetrics = await telemetry.collectMetrics();
  const durations = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === 'http.server.request.duration')
    .flatMap((metric) => metric.dataPoints as Array<DataPoint<Histogram>>);
  const access = lines.filter((line) => line.msg === 'request completed');
  return { spans, durations, access };
}

function app(configure: (a: Hono<{ Variables: { logger: Logger } }>) => void) {
  const { lines, destination } = lineCollector();
  const logger = createLogger({ destination, base: {} });
  const a = new Hono<{ Variables: { logger: Logger } }>();
  a.use(observability({ logger }));
  configure(a);
  return { app: a, lines };
}

/** Asserts one span, one duration record and one log line, all with `status`. */
async function expectOneOfEach(lines: Array<Record<string, unknown>>, status: number) {
  const { spans, durations, access } = await signals(lines);
  expect(spans).toHaveLength(1);
  expect(durations).toHaveLength(1);
  expect(durations[0]!.value.count).toBe(1);
  expect(access).toHaveLength(1);
  expect(durations[0]!.attributes['http.response.status_code']).toBe(status);
  expect(access[0]!.status).toBe(status);
  if (spans[0]!.attributes['http.response.status_code'] !== undefined) {
    expect(spans[0]!.attributes['http.response.status_code']).toBe(status);
  }
  return { span: spans[0]!, duration: durations[0]!, line: access[0]! };
}

describe('observability()', () => {
  it('gives a request one span, one duration record and one log line with the same status', async () => {
    const { app: a, lines } = app((x) => x.get('/products/:id', (c) => c.json({ ok: true })));
    expect((await a.request('/products/7')).status).toBe(200);
    const { span, duration, line } = await expectOneOfEach(lines, 200);
    expect(span.name).toBe('GET /products/:id');
    expect(duration.attributes['http.route']).toBe('/products/:id');
    expect(line.route).toBe('/products/:id');
  });

  it('reports a 404 the same way in all three, without a route', async () => {
    const { app: a, lines } = app(() => {});
    expect((await a.request('/nowhere')).status).toBe(404);
    const { span, duration, line } = await expectOneOfEach(lines, 404);
    expect(span.name).toBe('GET');
    expect(duration.attributes['http.route']).toBeUndefined();
    expect(line).not.toHaveProperty('route');
    expect(line.level).toBe('warn');
  });

  it('reports an error a handler threw as the same 500 with the same error type in all three', async () => {
    const { app: a, lines } = app((x) => {
      x.get('/boom', () => {
        throw new TypeError('database unreachable');
      });
      x.onError((_, c) => c.text('internal', 500));
    });
    expect((await a.request('/boom')).status).toBe(500);
    const { span, duration, line } = await expectOneOfEach(lines, 500);
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(duration.attributes['error.type']).toBe('TypeError');
    expect(line.errorType).toBe('TypeError');
    expect(line.level).toBe('error');
  });

  it('reports a thrown 4xx with its status in all three and no error', async () => {
    const { app: a, lines } = app((x) => {
      x.get('/teapot', () => {
        throw new HTTPException(418, { message: 'short and stout' });
      });
    });
    expect((await a.request('/teapot')).status).toBe(418);
    const { span, duration, line } = await expectOneOfEach(lines, 418);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(duration.attributes['error.type']).toBeUndefined();
    expect(line).not.toHaveProperty('errorType');
  });

  it('reports an error that escaped the chain as 500 in all three, and rethrows it', async () => {
    const { app: a, lines } = app((x) => {
      x.get('/escape', () => {
        throw new RangeError('escaped');
      });
      // An error handler that fails too: the error leaves the middleware's next().
      x.onError((error) => {
        throw error;
      });
    });
    await expect(a.request('/escape')).rejects.toThrow('escaped');
    const { spans, durations, access } = await signals(lines);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['error.type']).toBe('RangeError');
    expect(durations).toHaveLength(1);
    expect(durations[0]!.attributes['http.response.status_code']).toBe(500);
    expect(durations[0]!.attributes['error.type']).toBe('RangeError');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ status: 500, errorType: 'RangeError' });
  });

  it('stamps the log line with the trace of the span it reports', async () => {
    const { app: a, lines } = app((x) => x.get('/', (c) => c.text('ok')));
    await a.request('/', { headers: { 'x-request-id': 'req-1' } });
    const { span, line } = await expectOneOfEach(lines, 200);
    expect(line).toMatchObject({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
      trace_flags: '01',
      requestId: 'req-1',
      durationMs: expect.any(Number),
    });
  });

  it('makes the span current in the handler and gives it a logger bound to the request id', async () => {
    const { app: a, lines } = app((x) =>
      x.get('/', (c) => {
        c.var.logger.info({}, 'inside');
        return c.text('ok');
      }),
    );
    await a.request('/', { headers: { 'x-request-id': 'req-2' } });
    const span = telemetry.spans!.getFinishedSpans()[0]!;
    expect(lines.find((line) => line.msg === 'inside')).toMatchObject({
      requestId: 'req-2',
      trace_id: span.spanContext().traceId,
    });
  });

  it('echoes the trace id over a real server', async () => {
    const { app: a } = app((x) => x.get('/', (c) => c.text('ok')));
    const server = await listen(a);
    try {
      const response = await fetch(`${server.url}/`);
      await response.text();
      const span = telemetry.spans!.getFinishedSpans()[0]!;
      expect(response.headers.get('x-trace-id')).toBe(span.spanContext().traceId);
    } finally {
      await server.close();
    }
  });

  it('produces no signal for ignored requests', async () => {
    const { lines, destination } = lineCollector();
    const a = new Hono();
    a.use(
      observability({
        logger: createLogger({ destination }),
        ignore: (c) => c.req.path === '/metrics',
      }),
    );
    a.get('/metrics', (c) => c.text('scrape'));
    await a.request('/metrics');
    const { spans, durations, access } = await signals(lines);
    expect([spans.length, durations.length, access.length]).toEqual([0, 0, 0]);
  });

  it('names the span and sets http.route at its start, so that samplers see them', async () => {
    await telemetry.shutdown();
    const seen: Array<[string, unknown]> = [];
    const recordingSampler: Sampler = {
      shouldSample: (_ctx, _trace, name, _kind, attributes) => {
        seen.push([name, attributes['http.route']]);
        return { decision: SamplingDecision.RECORD_AND_SAMPLED };
      },
      toString: () => 'recording',
    };
    telemetry = setupTelemetry({
      serviceName: 'test',
      traces: 'memory',
      spanProcessor: 'simple',
      metrics: 'none',
      sampler: recordingSampler,
    });
    const a = new Hono();
    a.use(observability());
    a.get('/products/:id', (c) => c.text('ok'));
    await a.request('/products/9');
    await a.request('/unknown');
    expect(seen).toEqual([
      ['GET /products/:id', '/products/:id'],
      ['GET', undefined],
    ]);
  });

  it('turns signals off one by one', async () => {
    const a = new Hono();
    a.use(observability({ tracing: false }));
    a.get('/', (c) => c.text('ok'));
    const response = await a.request('/');
    const { spans, durations } = await signals([]);
    expect(spans).toHaveLength(0);
    expect(durations).toHaveLength(1);
    expect(response.headers.get('x-trace-id')).toBeNull();
  });
});
