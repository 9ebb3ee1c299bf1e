import { HTTP_DURATION_BUCKETS, metrics } from '@milkyway/observability';
import { mountMetrics, setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import type { DataPoint, Histogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let telemetry: Telemetry;
beforeEach(() => {
  telemetry = setupTelemetry({ serviceName: 'shop', traces: 'none', metrics: 'memory' });
});
afterEach(() => telemetry.shutdown());

function find(resourceMetrics: ResourceMetrics, name: string) {
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name === name) return { scope: scope.scope, metric };
    }
  }
  throw new Error(`no metric ${name}`);
}

function app() {
  const a = new Hono();
  a.use(metrics());
  a.get('/products/:id', (c) => c.json({ id: c.req.param('id') }));
  a.get('/fail', () => {
    throw new SyntaxError('bad');
  });
  a.onError((_, c) => c.text('internal', 500));
  return a;
}

describe('metrics()', () => {
  it('records http.server.request.duration in seconds with the semconv buckets', async () => {
    await app().request('/products/1');
    const { scope, metric } = find(
      await telemetry.collectMetrics(),
      'http.server.request.duration',
    );
    expect(scope.name).toBe('@milkyway/observability');
    expect(metric.descriptor.unit).toBe('s');
    const point = metric.dataPoints[0] as DataPoint<Histogram>;
    expect(point.value.buckets.boundaries).toEqual([...HTTP_DURATION_BUCKETS]);
    expect(point.value.count).toBe(1);
    expect(point.value.sum).toBeGreaterThan(0);
    expect(point.value.sum).toBeLessThan(1);
  });

  it('labels durations by method, route template, status code and status class', async () => {
    const a = app();
    await a.request('/products/1');
    await a.request('/products/2');
    await a.request('/nowhere');
    const { metric } = find(await telemetry.collectMetrics(), 'http.server.request.duration');
    const points = metric.dataPoints as Array<DataPoint<Histogram>>;
    expect(points.map((p) => [p.attributes, p.value.count])).toEqual([
      [
        {
          'http.request.method': 'GET',
          'url.scheme': 'http',
          'http.response.status_code': 200,
          'milkyway.http.status_class': '2xx',
          'http.route': '/products/:id',
        },
        2,
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

  it('adds error.type to the durations of failed requests', async () => {
    await app().request('/fail');
    const { metric } = find(await telemetry.collectMetrics(), 'http.server.request.duration');
    expect(metric.dataPoints[0]!.attributes).toMatchObject({
      'http.response.status_code': 500,
      'milkyway.http.status_class': '5xx',
      'error.type': 'SyntaxError',
    });
  });

  it('counts in-flight requests in http.server.active_requests', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const a = new Hono();
    a.use(metrics());
    a.get('/slow', async (c) => {
      entered();
      await gate;
      return c.text('done');
    });
    const pending = a.request('/slow');
    await inside;
    const during = find(await telemetry.collectMetrics(), 'http.server.active_requests');
    expect(during.metric.dataPoints[0]!.value).toBe(1);
    expect(during.metric.dataPoints[0]!.attributes).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
    });
    release();
    await pending;
    const after = find(await telemetry.collectMetrics(), 'http.server.active_requests');
    expect(after.metric.dataPoints[0]!.value).toBe(0);
  });

  it('folds unknown methods into _OTHER so they cannot inflate cardinality', async () => {
    const a = app();
    await a.request('/products/1', { method: 'BREW' });
    await a.request('/products/1', { method: 'WHEN' });
    const { metric } = find(await telemetry.collectMetrics(), 'http.server.request.duration');
    expect(metric.dataPoints.map((p) => p.attributes['http.request.method'])).toEqual(['_OTHER']);
  });

  it('does not measure ignored requests', async () => {
    const a = new Hono();
    a.use(metrics({ ignore: (c) => c.req.path === '/healthz' }));
    a.get('/healthz', (c) => c.text('ok'));
    await a.request('/healthz');
    const collected = await telemetry.collectMetrics();
    const names = collected.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
    expect(names).not.toContain('http.server.request.duration');
  });
});

describe('the Prometheus scrape endpoint', () => {
  let scraped: Telemetry;
  beforeEach(async () => {
    await telemetry.shutdown();
    scraped = setupTelemetry({ serviceName: 'shop', traces: 'none', prometheus: true });
  });
  afterEach(() => scraped.shutdown());

  it('serves the request metrics in the Prometheus text format at /metrics', async () => {
    const a = app();
    mountMetrics(a, scraped);
    await a.request('/products/1');
    const response = await a.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await response.text();
    expect(body).toContain('# TYPE http_server_request_duration histogram');
    expect(body).toContain('# UNIT http_server_request_duration s');
    expect(body).toMatch(
      /http_server_request_duration_count\{[^}]*http_route="\/products\/:id"[^}]*\} 1/,
    );
    expect(body).toContain('le="0.005"');
    expect(body).toContain('target_info{');
    expect(body).toContain('service_name="shop"');
  });

  it('mounts on a custom path', async () => {
    const a = new Hono();
    mountMetrics(a, scraped, '/internal/prometheus');
    expect((await a.request('/internal/prometheus')).status).toBe(200);
  });

  it('refuses to mount when Prometheus is off', () => {
    expect(() => mountMetrics(new Hono(), telemetry)).toThrow(/prometheus: true/);
  });
});
