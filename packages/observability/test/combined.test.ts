import { metrics, observability, requestLogger, tracing } from '@milkyway/observability';
import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { DataPoint, Histogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Hono, type MiddlewareHandler } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let telemetry: Telemetry;
beforeEach(() => {
  telemetry = setupTelemetry({
    serviceName: 'shop',
    traces: 'memory',
    metrics: 'memory',
    spanProcessor: 'simple',
  });
});
afterEach(() => telemetry.shutdown());

function durations(resourceMetrics: ResourceMetrics) {
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name === 'http.server.request.duration') {
        return (metric.dataPoints as Array<DataPoint<Histogram>>).map((p) => [
          p.attributes,
          p.value.count,
        ]);
      }
    }
  }
  return [];
}

function activeRequests(resourceMetrics: ResourceMetrics) {
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name === 'http.server.active_requests') {
        return metric.dataPoints.map((p) => p.value);
      }
    }
  }
  return [];
}

function routes(a: Hono) {
  a.get('/products/:id', (c) => c.json({ id: c.req.param('id') }));
  a.get('/fail', () => {
    throw new TypeError('broken');
  });
  a.onError((_, c) => c.text('internal', 500));
  return a;
}

describe('tracing() followed by metrics()', () => {
  const build = (...middleware: MiddlewareHandler[]) => {
    const a = new Hono();
    for (const m of middleware) a.use(m);
    return routes(a);
  };

  it('records the same status, route and error in the span and the duration', async () => {
    const a = build(tracing(), metrics());
    expect((await a.request('/products/1')).status).toBe(200);
    expect((await a.request('/fail')).status).toBe(500);
    expect((await a.request('/nowhere')).status).toBe(404);
    const spans = telemetry.spans!.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.attributes['http.response.status_code']])).toEqual([
      ['GET /products/:id', 200],
      ['GET /fail', 500],
      ['GET', 404],
    ]);
    expect(spans[1]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[1]!.attributes['error.type']).toBe('TypeError');
    expect(durations(await telemetry.collectMetrics())).toEqual([
      [
        {
          'http.request.method': 'GET',
          'url.scheme': 'http',
          'http.response.status_code': 200,
          'milkyway.http.status_class': '2xx',
          'http.route': '/products/:id',
        },
        1,
      ],
      [
        {
          'http.request.method': 'GET',
          'url.scheme': 'http',
          'http.response.status_code': 500,
          'milkyway.http.status_class': '5xx',
          'http.route': '/fail',
          'error.type': 'TypeError',
        },
        1,
      ],
      [
        {
          'http.request.method': 'GET',
          'url.scheme': 'http',
          'http.response.status_code': 404,
          'milkyway.http.status_class': '4xx',
        },
        1,
      ],
    ]);
  });

  it('counts the request as active while it runs, and not after', async () => {
    const a = new Hono();
    a.use(tracing());
    a.use(metrics());
    let during: unknown[] = [];
    a.get('/slow', async (c) => {
      during = activeRequests(await telemetry.collectMetrics());
      return c.text('ok');
    });
    await a.request('/slow');
    expect(during).toEqual([1]);
    expect(activeRequests(await telemetry.collectMetrics())).toEqual([0]);
  });

  it('keeps the span current for the handler', async () => {
    const a = new Hono();
    a.use(tracing());
    a.use(metrics());
    let seen: string | undefined;
    a.get('/', (c) => {
      seen = trace.getActiveSpan()?.spanContext().spanId;
      return c.text('ok');
    });
    await a.request('/');
    expect(seen).toBe(telemetry.spans!.getFinishedSpans()[0]!.spanContext().spanId);
  });

  it('honours the ignore option of each middleware on its own', async () => {
    const a = build(
      tracing({ ignore: (c) => c.req.path === '/fail' }),
      metrics({ ignore: (c) => c.req.path.startsWith('/products') }),
    );
    await a.request('/products/1');
    await a.request('/fail');
    expect(telemetry.spans!.getFinishedSpans().map((s) => s.name)).toEqual(['GET /products/:id']);
    expect(durations(await telemetry.collectMetrics()).map(([attrs]) => attrs)).toEqual([
      expect.objectContaining({ 'http.route': '/fail', 'http.response.status_code': 500 }),
    ]);
  });

  const logger = { info() {}, warn() {}, error() {}, debug() {}, child: () => logger };
  it.each([
    ['metrics(), tracing()', () => [metrics(), tracing()], 1],
    ['tracing(), metrics(), metrics()', () => [tracing(), metrics(), metrics()], 2],
    ['observability(), metrics()', () => [observability(), metrics()], 2],
    [
      'requestLogger(), metrics()',
      () => [requestLogger({ logger: logger as never }), metrics()],
      1,
    ],
  ] as const)('records one duration per metrics-bearing middleware: %s', async (_, chain, n) => {
    const a = build(...chain());
    await a.request('/products/1');
    expect(telemetry.spans!.getFinishedSpans().length).toBeLessThanOrEqual(1);
    expect(durations(await telemetry.collectMetrics()).map(([, count]) => count)).toEqual([n]);
    expect(activeRequests(await telemetry.collectMetrics())).toEqual([0]);
  });
});
