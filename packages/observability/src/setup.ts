import { type Attributes, context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  type IMetricReader,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Context } from 'hono';
import { TraceContextPropagator } from './trace-context/propagator.js';

/**
 * Where finished spans go. `auto`: see {@link TelemetryOptions.traces}.
 *
 * @example
 * ```ts
 * import { setupTelemetry, type TraceExporterChoice } from '@milkyway/observability/setup';
 *
 * const traces: TraceExporterChoice = process.env.CI ? 'memory' : 'auto';
 * const telemetry = setupTelemetry({ serviceName: 'catalog', traces });
 * ```
 */
export type TraceExporterChoice = 'auto' | 'otlp' | 'console' | 'memory' | 'none' | SpanExporter;

/**
 * Where metrics are pushed. `auto`: see {@link TelemetryOptions.metrics}.
 *
 * @example
 * ```ts
 * import { type MetricExporterChoice, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const metrics: MetricExporterChoice = 'otlp';
 * const telemetry = setupTelemetry({ serviceName: 'catalog', metrics });
 * ```
 */
export type MetricExporterChoice =
  | 'auto'
  | 'otlp'
  | 'console'
  | 'memory'
  | 'none'
  | PushMetricExporter;

/**
 * Options of {@link setupTelemetry}.
 *
 * @example
 * ```ts
 * import { setupTelemetry, type TelemetryOptions } from '@milkyway/observability/setup';
 *
 * const options: TelemetryOptions = {
 *   serviceName: 'orders',
 *   serviceVersion: '2.1.0',
 *   environment: 'staging',
 *   prometheus: true,
 *   batch: { scheduledDelayMs: 1000 },
 * };
 * const telemetry = setupTelemetry(options);
 * ```
 */
export interface TelemetryOptions {
  /** `service.name` resource attribute (required). */
  serviceName: string;
  /** `service.version` resource attribute. */
  serviceVersion?: string;
  /** `deployment.environment.name` resource attribute (`production`, `staging`, ...). */
  environment?: string;
  /** More resource attributes; these win over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Attributes;
  /**
   * Span exporter. `auto` (default): `OTEL_TRACES_EXPORTER` when set (`otlp`, `console`,
   * `none`), else OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` or
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, else the console. `memory` keeps spans in
   * {@link Telemetry.spans} (tests). `none` registers no tracer provider at all, so
   * `tracing()` and the AsyncLocalStorage context manager cost nothing.
   */
  traces?: TraceExporterChoice;
  /**
   * Metric push exporter. `auto` (default): `OTEL_METRICS_EXPORTER` when set (`otlp`,
   * `console`, `none`, `prometheus`), else OTLP/HTTP when an OTLP endpoint variable is set,
   * else none. `memory` adds a manual reader read with {@link Telemetry.collectMetrics}.
   */
  metrics?: MetricExporterChoice;
  /**
   * Add a Prometheus reader (no server of its own: serve it with {@link serveMetrics} on an
   * admin listener, or {@link mountMetrics} behind authentication). `true`, or options passed
   * to the exporter.
   */
  prometheus?: boolean | PrometheusOptions;
  /** Push interval of periodic metric exporters, ms. Default `OTEL_METRIC_EXPORT_INTERVAL` or 60000. */
  metricExportIntervalMs?: number;
  /**
   * Sampler. Default: from `OTEL_TRACES_SAMPLER`/`OTEL_TRACES_SAMPLER_ARG` (the SDK reads
   * them), `parentbased_always_on` when unset.
   */
  sampler?: Sampler;
  /** `batch` (default) or `simple` (exports each span as it ends; for tests and debugging). */
  spanProcessor?: 'batch' | 'simple';
  /** Batch processor tuning; defaults come from the `OTEL_BSP_*` variables. */
  batch?: BatchOptions;
  /** More span processors, run after the exporter's. */
  spanProcessors?: SpanProcessor[];
  /** More metric readers. */
  metricReaders?: IMetricReader[];
}

/**
 * Tuning of the batch span processor ({@link TelemetryOptions.batch}); each default comes from
 * its `OTEL_BSP_*` variable, else the SDK's default.
 *
 * @example
 * ```ts
 * import { type BatchOptions, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const batch: BatchOptions = { scheduledDelayMs: 250, maxQueueSize: 4096 };
 * const telemetry = setupTelemetry({ serviceName: 'orders', batch });
 * ```
 */
export interface BatchOptions {
  /** Delay between two exports, ms (`OTEL_BSP_SCHEDULE_DELAY`, default 5000). */
  scheduledDelayMs?: number;
  /** How long an export may take before it is cancelled, ms (`OTEL_BSP_EXPORT_TIMEOUT`, default 30000). */
  exportTimeoutMs?: number;
  /** Spans kept waiting for export; more are dropped (`OTEL_BSP_MAX_QUEUE_SIZE`, default 2048). */
  maxQueueSize?: number;
  /** Spans sent per export (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, default 512). */
  maxExportBatchSize?: number;
}

/**
 * Options of the Prometheus reader.
 *
 * @example
 * ```ts
 * import { type PrometheusOptions, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const prometheus: PrometheusOptions = { withoutScopeInfo: true, withResourceConstantLabels: /^service\./ };
 * const telemetry = setupTelemetry({ serviceName: 'orders', prometheus });
 * ```
 */
export interface PrometheusOptions {
  /** Prefix added to every metric name. */
  prefix?: string;
  /** Omit the `otel_scope_*` labels. Default `false`. */
  withoutScopeInfo?: boolean;
  /** Omit the `target_info` metric. Default `false`. */
  withoutTargetInfo?: boolean;
  /** Resource attributes (by name) copied onto every series as labels. */
  withResourceConstantLabels?: RegExp;
}

/**
 * The handle {@link setupTelemetry} returns.
 *
 * @example
 * ```ts
 * import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
 *
 * const telemetry: Telemetry = setupTelemetry({ serviceName: 'orders', traces: 'memory' });
 * // ... serve requests ...
 * console.log(telemetry.spans?.getFinishedSpans().length);
 * await telemetry.shutdown();
 * ```
 */
export interface Telemetry {
  /** The registered tracer provider (`undefined` when traces are `none` or the SDK is disabled). */
  readonly tracerProvider: BasicTracerProvider | undefined;
  /** The registered meter provider (`undefined` when no metric reader is configured). */
  readonly meterProvider: MeterProvider | undefined;
  /** The resource (service name, version, ...) every span and metric carries. */
  readonly resource: Resource;
  /** The span exporter in use (`undefined` when traces are off). */
  readonly spanExporter: SpanExporter | undefined;
  /** The in-memory span exporter when `traces: 'memory'`: `spans.getFinishedSpans()`. */
  readonly spans: InMemorySpanExporter | undefined;
  /** The Prometheus reader when `prometheus` is on. */
  readonly prometheus: PrometheusExporter | undefined;
  /**
   * Collects the current metrics from the manual reader (`metrics: 'memory'`).
   * Throws when no such reader was configured.
   */
  collectMetrics(): Promise<ResourceMetrics>;
  /**
   * A handler answering a Prometheus scrape (text exposition format 0.0.4). Throws when
   * `prometheus` is off.
   */
  readonly metricsHandler: (c?: Context) => Promise<Response>;
  /** Exports everything buffered (spans in the batch, pending metrics) now. */
  forceFlush(): Promise<void>;
  /**
   * Flushes and shuts the providers down, then unregisters the global tracer/meter
   * provider, propagator and context manager it registered. Idempotent. Call it when the
   * service closes so that no span is lost.
   */
  shutdown(): Promise<void>;
}

const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A metric reader collected on demand. */
class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * Registers the OpenTelemetry SDK for a service in one call: resource attributes, tracer
 * provider with a batch span processor, sampler, W3C Trace Context Level 2
 * ({@link TraceContextPropagator}) + Baggage propagators,
 * the AsyncLocalStorage context manager (only when traces are on: it slows every await),
 * and a meter provider with the configured readers (OTLP, Prometheus, in-memory).
 *
 * Configuration comes from the options first, then from the standard `OTEL_*` environment
 * variables (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`,
 * `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`).
 * `OTEL_SDK_DISABLED=true` registers nothing.
 *
 * Call it before the service handles requests, and call `shutdown()` when it closes.
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 * import { metrics, tracing } from '@milkyway/observability';
 * import { mountMetrics, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const telemetry = setupTelemetry({ serviceName: 'catalog', serviceVersion: '1.4.0', prometheus: true });
 * const service = createService({ name: 'catalog', version: '1.4.0' })
 *   .use(tracing())
 *   .use(metrics());
 * mountMetrics(service, telemetry);                 // GET /metrics
 * service.onClose(() => telemetry.shutdown());     // flush spans on SIGTERM
 * ```
 */
export function setupTelemetry(options: TelemetryOptions): Telemetry {
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(
      resourceFromAttributes({
        'service.name': options.serviceName,
        ...(options.serviceVersion !== undefined && { 'service.version': options.serviceVersion }),
        ...(options.environment !== undefined && {
          'deployment.environment.name': options.environment,
        }),
        ...options.resourceAttributes,
      }),
    );

  if (/^true$/i.test(process.env.OTEL_SDK_DISABLED?.trim() ?? '')) {
    return handle({ resource, propagator: false });
  }

  // Traces.
  const spanExporter = traceExporter(options.traces ?? 'auto');
  let tracerProvider: BasicTracerProvider | undefined;
  if (spanExporter !== undefined) {
    const processor =
      options.spanProcessor === 'simple'
        ? new SimpleSpanProcessor(spanExporter)
        : new BatchSpanProcessor(spanExporter, bufferConfig(options.batch));
    tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [processor, ...(options.spanProcessors ?? [])],
      ...(options.sampler !== undefined && { sampler: options.sampler }),
    });
  }

  // Metrics.
  const readers: IMetricReader[] = [...(options.metricReaders ?? [])];
  const interval = options.metricExportIntervalMs ?? envNumber('OTEL_METRIC_EXPORT_INTERVAL');
  const metricChoice = options.metrics ?? 'auto';
  let manualReader: ManualReader | undefined;
  let prometheusOn = options.prometheus;
  const push = metricExporter(metricChoice);
  if (push === 'memory') {
    manualReader = new ManualReader();
    readers.push(manualReader);
  } else if (push === 'prometheus') {
    prometheusOn ||= true;
  } else if (push !== undefined) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: push,
        ...(interval !== undefined && { exportIntervalMillis: interval }),
      }),
    );
  }
  let prometheus: PrometheusExporter | undefined;
  let serializer: PrometheusSerializer | undefined;
  if (prometheusOn) {
    const config = prometheusOn === true ? {} : prometheusOn;
    prometheus = new PrometheusExporter({ ...config, preventServerStart: true });
    serializer = new PrometheusSerializer(
      config.prefix,
      false,
      config.withResourceConstantLabels,
      config.withoutTargetInfo,
      config.withoutScopeInfo,
    );
    readers.push(prometheus);
  }
  const meterProvider = readers.length > 0 ? new MeterProvider({ resource, readers }) : undefined;

  // Register globally, all or nothing: the API refuses to replace a registered provider, and a
  // half-registered SDK would silently keep an old one.
  const registered: Array<() => void> = [];
  const register = (what: string, ok: boolean, undo: () => void) => {
    if (ok) {
      registered.push(undo);
      return;
    }
    for (const rollback of registered.reverse()) rollback();
    void tracerProvider?.shutdown();
    void meterProvider?.shutdown();
    throw new Error(
      `setupTelemetry(): a global ${what} is already registered; call shutdown() on the previous telemetry first`,
    );
  };
  let contextManager: AsyncLocalStorageContextManager | undefined;
  if (tracerProvider !== undefined) {
    register('tracer provider', trace.setGlobalTracerProvider(tracerProvider), () =>
      trace.disable(),
    );
    contextManager = new AsyncLocalStorageContextManager().enable();
    const manager = contextManager;
    register('context manager', context.setGlobalContextManager(manager), () => {
      manager.disable();
      context.disable();
    });
  }
  register(
    'propagator',
    propagation.setGlobalPropagator(
      new CompositePropagator({
        propagators: [new TraceContextPropagator(), new W3CBaggagePropagator()],
      }),
    ),
    () => propagation.disable(),
  );
  if (meterProvider !== undefined) {
    register('meter provider', metrics.setGlobalMeterProvider(meterProvider), () =>
      metrics.disable(),
    );
  }

  return handle({
    resource,
    tracerProvider,
    meterProvider,
    contextManager,
    spans: spanExporter instanceof InMemorySpanExporter ? spanExporter : undefined,
    spanExporter,
    manualReader,
    prometheus,
    serializer,
    propagator: true,
  });
}

interface Parts {
  resource: Resource;
  tracerProvider?: BasicTracerProvider | undefined;
  meterProvider?: MeterProvider | undefined;
  contextManager?: AsyncLocalStorageContextManager | undefined;
  spans?: InMemorySpanExporter | undefined;
  spanExporter?: SpanExporter | undefined;
  manualReader?: ManualReader | undefined;
  prometheus?: PrometheusExporter | undefined;
  serializer?: PrometheusSerializer | undefined;
  propagator: boolean;
}

function handle(parts: Parts): Telemetry {
  const { tracerProvider, meterProvider, contextManager, manualReader, prometheus, serializer } =
    parts;
  let closing: Promise<void> | undefined;

  return {
    tracerProvider,
    meterProvider,
    resource: parts.resource,
    spans: parts.spans,
    spanExporter: parts.spanExporter,
    prometheus,
    async collectMetrics() {
      if (manualReader === undefined) {
        throw new Error("collectMetrics() needs setupTelemetry({ metrics: 'memory' })");
      }
      const { resourceMetrics } = await manualReader.collect();
      return resourceMetrics;
    },
    metricsHandler: async () => {
      if (prometheus === undefined || serializer === undefined) {
        throw new Error('metricsHandler needs setupTelemetry({ prometheus: true })');
      }
      const { resourceMetrics } = await prometheus.collect();
      return new Response(serializer.serialize(resourceMetrics), {
        headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
      });
    },
    async forceFlush() {
      await Promise.all([tracerProvider?.forceFlush(), meterProvider?.forceFlush()]);
    },
    shutdown() {
      closing ??= (async () => {
        try {
          await Promise.all([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
        } finally {
          if (tracerProvider !== undefined) {
            trace.disable();
            contextManager?.disable();
            context.disable();
          }
          if (meterProvider !== undefined) metrics.disable();
          if (parts.propagator) propagation.disable();
        }
      })();
      return closing;
    },
  };
}

function traceExporter(choice: TraceExporterChoice): SpanExporter | undefined {
  if (typeof choice === 'object') return choice;
  let kind: string = choice;
  if (kind === 'auto') {
    kind =
      envList('OTEL_TRACES_EXPORTER') ??
      (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        ? 'otlp'
        : 'console');
  }
  switch (kind) {
    case 'otlp':
      return new OTLPTraceExporter();
    case 'console':
      return new ConsoleSpanExporter();
    case 'memory':
      return new InMemorySpanExporter();
    case 'none':
      return undefined;
    default:
      throw new Error(`unknown trace exporter "${kind}" (otlp, console, memory or none)`);
  }
}

function metricExporter(
  choice: MetricExporterChoice,
): PushMetricExporter | 'memory' | 'prometheus' | undefined {
  if (typeof choice === 'object') return choice;
  let kind: string = choice;
  if (kind === 'auto') {
    kind =
      envList('OTEL_METRICS_EXPORTER') ??
      (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT
        ? 'otlp'
        : 'none');
  }
  switch (kind) {
    case 'otlp':
      return new OTLPMetricExporter();
    case 'console':
      return new ConsoleMetricExporter();
    case 'memory':
    case 'prometheus':
      return kind;
    case 'none':
      return undefined;
    default:
      throw new Error(
        `unknown metric exporter "${kind}" (otlp, console, prometheus, memory or none)`,
      );
  }
}

/** The SDK's spelling of {@link BatchOptions}. */
function bufferConfig(batch: BatchOptions | undefined) {
  if (batch === undefined) return undefined;
  return {
    ...(batch.scheduledDelayMs !== undefined && { scheduledDelayMillis: batch.scheduledDelayMs }),
    ...(batch.exportTimeoutMs !== undefined && { exportTimeoutMillis: batch.exportTimeoutMs }),
    ...(batch.maxQueueSize !== undefined && { maxQueueSize: batch.maxQueueSize }),
    ...(batch.maxExportBatchSize !== undefined && { maxExportBatchSize: batch.maxExportBatchSize }),
  };
}

/** First entry of a comma-separated OTEL_*_EXPORTER variable, lowercased. */
function envList(name: string): string | undefined {
  const value = process.env[name]?.split(',')[0]?.trim().toLowerCase();
  return value ? value : undefined;
}

function envNumber(name: string): number | undefined {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Serves the Prometheus scrape endpoint of a {@link Telemetry} set up with
 * `prometheus: true` on a Hono app (or a Milkyway service's underlying app): `GET /metrics`
 * by default, text exposition format 0.0.4.
 *
 * Metrics are not public data (why tokens were refused, breaker states): prefer
 * {@link serveMetrics}, a separate admin listener on loopback (or behind a bearer token); mount
 * the route on an app only behind authentication. Exclude it from `observability()` with its
 * `ignore` option if you do not want scrapes measured.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { mountMetrics, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const telemetry = setupTelemetry({ serviceName: 'catalog', prometheus: true });
 * const app = new Hono();
 * mountMetrics(app, telemetry); // curl localhost:3000/metrics
 * ```
 */
export function mountMetrics<A extends MetricsRouteTarget>(
  app: A,
  telemetry: Telemetry,
  path = '/metrics',
): A {
  if (telemetry.prometheus === undefined) {
    throw new Error('mountMetrics() needs setupTelemetry({ prometheus: true })');
  }
  app.get(path, () => telemetry.metricsHandler());
  return app;
}

/**
 * What {@link mountMetrics} needs from an app: Hono's `get(path, handler)` (a Hono app, a
 * Hono sub-app or a Milkyway service).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import type { MetricsRouteTarget } from '@milkyway/observability/setup';
 *
 * const target: MetricsRouteTarget = new Hono();
 * ```
 */
export interface MetricsRouteTarget {
  /** Registers a GET route. */
  // biome-ignore lint/suspicious/noExplicitAny: Hono's and core's `get` overloads differ in their context types
  get(path: string, handler: (c: any) => Promise<Response>): unknown;
}

export {
  type MetricsServer,
  type MetricsServerOptions,
  type MetricsSource,
  serveMetrics,
} from './metrics-server.js';
