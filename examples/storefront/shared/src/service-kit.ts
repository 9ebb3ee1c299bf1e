/**
 * What every storefront service sets up the same way: telemetry (traces, metrics), a
 * structured logger, the service itself with tracing, metrics and request logs on (one
 * `observability()` middleware), the Prometheus scrape on a separate admin listener (never on
 * the public port), and its ports. Each service's main.ts calls `createStorefrontService()`,
 * adds its own routes and calls `listen()`.
 */
import { STATUS_CODES } from 'node:http';
import type { PrincipalEnv } from '@milkyway/auth';
import { createService } from '@milkyway/core';
import { createLogger, observability } from '@milkyway/observability';
import {
  type MetricsServer,
  serveMetrics,
  setupTelemetry,
  type Telemetry,
  type TraceExporterChoice,
} from '@milkyway/observability/setup';
import type { Context } from 'hono';
import { jsonLinesSpanExporter } from './span-file-exporter.js';

/** The storefront's version, shown in logs and the OpenAPI documents. */
export const VERSION = '1.0.0';

/** A string from the environment, or the fallback. */
export function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** A positive number from the environment, or the fallback. */
export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The port: `PORT`, else the service's own `*_PORT`, else its default. */
export function portFrom(portEnv: string, defaultPort: number): number {
  return envNumber('PORT', envNumber(portEnv, defaultPort));
}

/** Where the other services are (defaults: their default ports on this machine). */
export const upstreams = {
  identity: () => env('IDENTITY_URL', 'http://127.0.0.1:4001'),
  catalog: () => env('CATALOG_URL', 'http://127.0.0.1:4002'),
  orders: () => env('ORDERS_URL', 'http://127.0.0.1:4003'),
};

/** Token verification settings shared by the services that check tokens. */
export function tokenSettings() {
  const identity = upstreams.identity();
  return {
    jwksUrl: env('JWKS_URL', `${identity}/.well-known/jwks.json`),
    issuer: env('TOKEN_ISSUER', identity),
    audience: 'storefront',
    algorithms: ['ES256'] as const,
  };
}

/** Spans go nowhere unless asked: created (so trace ids propagate) but dropped. */
const dropSpans: Extract<TraceExporterChoice, object> = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};

function spanExporter(): TraceExporterChoice {
  const file = process.env.TRACE_FILE;
  if (file) return jsonLinesSpanExporter(file);
  if (
    process.env.OTEL_TRACES_EXPORTER ||
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT ||
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  ) {
    return 'auto';
  }
  return dropSpans;
}

const quiet = (c: Context) => c.req.path === '/livez' || c.req.path === '/readyz';

/** Creates a storefront service with telemetry, logs and metrics wired in. */
export function createStorefrontService(name: string, description: string) {
  const telemetry = setupTelemetry({
    serviceName: name,
    serviceVersion: VERSION,
    resourceAttributes: { 'service.instance.id': env('SERVICE_INSTANCE', name) },
    traces: spanExporter(),
    // Spans reach the trace file within a quarter second, so the demo and the e2e tests can
    // read a trace soon after its request (the SDK's default batch delay is 5 s).
    ...(process.env.TRACE_FILE ? { batch: { scheduledDelayMs: 250 } } : {}),
    prometheus: true,
  });
  const logger = createLogger({ name, base: {} });
  // PrincipalEnv types `c.var.principal` for the routes behind jwtAuth.
  const service = createService<PrincipalEnv>({
    name,
    version: VERSION,
    logger,
    openapi: { description },
  }).use(observability({ logger, ignore: quiet }));
  // No /metrics route here: the scrape is served by `listen()` on the admin listener.
  // Flush the last spans when the service closes (SIGTERM drains requests first).
  service.onClose(() => telemetry.shutdown());
  return { service, logger, telemetry };
}

/**
 * The admin port of the metrics listener: `METRICS_PORT`, else the service's own
 * `*_METRICS_PORT`, else its default (9400 + n, beside Prometheus' 9464).
 */
export function metricsPortFrom(portEnv: string, defaultPort: number): number {
  return envNumber('METRICS_PORT', envNumber(portEnv, defaultPort));
}

/**
 * Serves the Prometheus scrape on its own admin listener: `METRICS_HOST` (default 127.0.0.1,
 * loopback: only this host can scrape) and `port`; `METRICS_TOKEN`, when set, is the bearer
 * token every scrape must send (required when METRICS_HOST is not a loopback address).
 */
async function serveAdminMetrics(telemetry: Telemetry, port: number): Promise<MetricsServer> {
  const token = process.env.METRICS_TOKEN;
  return serveMetrics(telemetry, {
    port,
    hostname: env('METRICS_HOST', '127.0.0.1'),
    ...(token ? { token } : {}),
  });
}

/**
 * Starts the admin listener with the metrics (on `metricsPort`), then listens on `port` (on
 * HOST, default 127.0.0.1) and answers requests Node rejects before they reach the app
 * (headers over its 16 KiB limit, malformed HTTP) with a problem+json instead of a bare status
 * line, unless something already handles `clientError`. The public port serves no `/metrics`.
 */
export async function listen(
  kit: Pick<ReturnType<typeof createStorefrontService>, 'service' | 'telemetry' | 'logger'>,
  port: number,
  metricsPort: number,
) {
  const { service, telemetry, logger } = kit;
  const admin = await serveAdminMetrics(telemetry, metricsPort);
  service.onClose(() => admin.close());
  logger.info({ url: admin.url }, 'metrics on the admin listener');
  const info = await service.listen({ port, hostname: env('HOST', '127.0.0.1') });
  if (info.server.listenerCount('clientError') === 0) {
    info.server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const status =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? 431
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 408
            : 400;
      const title = STATUS_CODES[status] ?? 'Bad Request';
      const body = JSON.stringify({ type: 'about:blank', title, status });
      socket.end(
        `HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
  }
  return info;
}
