import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tracing } from '@milkyway/observability';
import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import {
  context,
  createContextKey,
  metrics,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';

const ENV = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_TRACES_EXPORTER',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SDK_DISABLED',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_METRICS_EXPORTER',
];
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function tracedApp() {
  const app = new Hono();
  app.use(tracing());
  app.get('/hello', (c) => c.text('hi'));
  return app;
}

describe('setupTelemetry()', () => {
  it('puts service.name, service.version and the environment on the resource', () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'k8s.pod.name=catalog-0,service.name=overridden';
    telemetry = setupTelemetry({
      serviceName: 'catalog',
      serviceVersion: '1.4.0',
      environment: 'staging',
      traces: 'memory',
    });
    expect(telemetry.resource.attributes).toMatchObject({
      'service.name': 'catalog',
      'service.version': '1.4.0',
      'deployment.environment.name': 'staging',
      'k8s.pod.name': 'catalog-0',
      'telemetry.sdk.language': 'nodejs',
    });
  });

  it('exports spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318';
    telemetry = setupTelemetry({ serviceName: 'catalog' });
    expect(telemetry.spanExporter).toBeInstanceOf(OTLPTraceExporter);
  });

  it('falls back to the console exporter without an OTLP endpoint', () => {
    telemetry = setupTelemetry({ serviceName: 'catalog' });
    expect(telemetry.spanExporter).toBeInstanceOf(ConsoleSpanExporter);
  });

  it('honours OTEL_TRACES_EXPORTER=none by registering no tracer provider', () => {
    process.env.OTEL_TRACES_EXPORTER = 'none';
    telemetry = setupTelemetry({ serviceName: 'catalog' });
    expect(telemetry.tracerProvider).toBeUndefined();
    expect(trace.getTracer('x').startSpan('s').isRecording()).toBe(false);
  });

  it('adds the Prometheus reader when OTEL_METRICS_EXPORTER=prometheus', async () => {
    process.env.OTEL_METRICS_EXPORTER = 'prometheus';
    telemetry = setupTelemetry({ serviceName: 'catalog', traces: 'none' });
    expect(telemetry.prometheus).toBeDefined();
    expect(await (await telemetry.metricsHandler()).text()).toContain('service_name="catalog"');
  });

  it('rejects an unknown exporter name', () => {
    expect(() => setupTelemetry({ serviceName: 'x', traces: 'zipkin' as 'otlp' })).toThrow(
      /unknown trace exporter "zipkin"/,
    );
  });

  it('samples from OTEL_TRACES_SAMPLER (always_off records nothing)', async () => {
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    telemetry = setupTelemetry({ serviceName: 'x', traces: 'memory', spanProcessor: 'simple' });
    await tracedApp().request('/hello');
    expect(telemetry.spans!.getFinishedSpans()).toEqual([]);
  });

  it('samples from OTEL_TRACES_SAMPLER_ARG with traceidratio', async () => {
    process.env.OTEL_TRACES_SAMPLER = 'traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0';
    telemetry = setupTelemetry({ serviceName: 'x', traces: 'memory', spanProcessor: 'simple' });
    await tracedApp().request('/hello');
    expect(telemetry.spans!.getFinishedSpans()).toEqual([]);
  });

  it('registers nothing when OTEL_SDK_DISABLED=true', async () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    telemetry = setupTelemetry({ serviceName: 'x', traces: 'memory' });
    expect(telemetry.tracerProvider).toBeUndefined();
    const response = await tracedApp().request('/hello');
    expect(response.headers.get('x-trace-id')).toBeNull();
  });

  it('keeps finished spans in the batch until shutdown flushes them', async () => {
    telemetry = setupTelemetry({
      serviceName: 'x',
      traces: 'memory',
      batch: { scheduledDelayMs: 60_000, maxExportBatchSize: 512 },
    });
    const spans = telemetry.spans!;
    await tracedApp().request('/hello');
    expect(spans.getFinishedSpans()).toEqual([]);
    // shutdown() resets the in-memory exporter, so watch what it receives.
    const exported: string[] = [];
    const original = spans.export.bind(spans);
    spans.export = (batch, done) => {
      exported.push(...batch.map((s) => s.name));
      original(batch, done);
    };
    await telemetry.shutdown();
    expect(exported).toEqual(['GET /hello']);
  });

  it('unregisters the global providers, propagator and context manager on shutdown', async () => {
    telemetry = setupTelemetry({ serviceName: 'x', traces: 'memory', metrics: 'memory' });
    await telemetry.shutdown();
    expect(trace.getTracer('x').startSpan('s').isRecording()).toBe(false);
    expect(metrics.getMeterProvider().getMeter('x').constructor.name).toBe('NoopMeter');
    expect(propagation.fields()).toEqual([]);
    const key = createContextKey('probe');
    expect(context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key))).toBe(
      undefined,
    );
  });

  it('refuses to set up twice without a shutdown, leaving the first set-up in place', async () => {
    telemetry = setupTelemetry({ serviceName: 'first', traces: 'memory', spanProcessor: 'simple' });
    expect(() =>
      setupTelemetry({ serviceName: 'second', traces: 'memory', metrics: 'memory' }),
    ).toThrow(/already registered; call shutdown\(\) on the previous telemetry first/);
    await tracedApp().request('/hello');
    expect(telemetry.spans!.getFinishedSpans()).toHaveLength(1);
    expect(metrics.getMeterProvider().getMeter('x').constructor.name).toBe('NoopMeter');
  });

  it('can be set up again after a shutdown', async () => {
    await setupTelemetry({ serviceName: 'first', traces: 'memory' }).shutdown();
    telemetry = setupTelemetry({
      serviceName: 'second',
      traces: 'memory',
      spanProcessor: 'simple',
    });
    await tracedApp().request('/hello');
    expect(telemetry.spans!.getFinishedSpans()).toHaveLength(1);
  });

  it('can be shut down twice', async () => {
    telemetry = setupTelemetry({ serviceName: 'x', traces: 'memory' });
    await telemetry.shutdown();
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });

  it('delivers the spans of a request to an OTLP collector on shutdown', async () => {
    const received: Array<{ url: string; type: string; body: string }> = [];
    const collector = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        received.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
      telemetry = setupTelemetry({ serviceName: 'orders', metrics: 'none' });
      await tracedApp().request('/hello');
      await telemetry.shutdown();
      expect(received).toHaveLength(1);
      expect(received[0]!.url).toBe('/v1/traces');
      expect(received[0]!.type).toBe('application/json');
      const payload = JSON.parse(received[0]!.body);
      const [resourceSpans] = payload.resourceSpans;
      expect(resourceSpans.resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'orders' },
      });
      expect(resourceSpans.scopeSpans[0].spans[0].name).toBe('GET /hello');
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
