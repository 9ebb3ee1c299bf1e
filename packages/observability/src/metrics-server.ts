import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What {@link serveMetrics} serves: a `Telemetry` set up with `prometheus: true` (anything
 * with a `metricsHandler()` answering a scrape).
 *
 * @example
 * ```ts
 * import { type MetricsSource, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const source: MetricsSource = setupTelemetry({ serviceName: 'gateway', prometheus: true });
 * ```
 */
export interface MetricsSource {
  /** Answers one Prometheus scrape. */
  metricsHandler(): Promise<Response>;
}

/**
 * Options of {@link serveMetrics}.
 *
 * @example
 * ```ts
 * import { type MetricsServerOptions, serveMetrics, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const telemetry = setupTelemetry({ serviceName: 'gateway', prometheus: true });
 * const options: MetricsServerOptions = { port: 9464, hostname: '0.0.0.0', token: process.env.METRICS_TOKEN! };
 * const admin = await serveMetrics(telemetry, options);
 * ```
 */
export interface MetricsServerOptions {
  /** Port of the admin listener. Default `9464` (Prometheus' registered exporter port); `0` for any free one. */
  port?: number;
  /**
   * Address to bind. Default `127.0.0.1`: only processes on the same host (a sidecar, the node's
   * agent) can scrape. Binding anything that is not a loopback address requires `token`.
   */
  hostname?: string;
  /** Path of the scrape endpoint. Default `/metrics`. */
  path?: string;
  /**
   * A bearer token every scrape must send (`Authorization: Bearer <token>`; Prometheus:
   * `authorization: { credentials: … }`). Compared in constant time. Required off loopback.
   */
  token?: string;
}

/**
 * The running admin listener {@link serveMetrics} returns.
 *
 * @example
 * ```ts
 * import { type MetricsServer, serveMetrics, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const telemetry = setupTelemetry({ serviceName: 'gateway', prometheus: true });
 * const admin: MetricsServer = await serveMetrics(telemetry, { port: 0 });
 * console.log(admin.url); // http://127.0.0.1:40123/metrics
 * await admin.close();
 * ```
 */
export interface MetricsServer {
  /** The scrape URL (`http://127.0.0.1:9464/metrics`). */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /** Stops listening and closes the open connections. */
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/**
 * Serves the Prometheus scrape endpoint on a separate admin listener instead of the service's
 * public port, so that metrics (why tokens were refused, the state of every breaker, traffic by
 * route) are not public. By default it binds `127.0.0.1:9464`; off loopback it requires a
 * bearer `token` (and refuses to start without one). It answers only `GET`/`HEAD` of its exact
 * path (`/metrics`; no path normalisation, so `/x/%2e%2e/metrics` is a 404), `401` with
 * `WWW-Authenticate: Bearer` for a missing or wrong token, `405` for other methods.
 *
 * Close it with the service (`service.onClose(() => admin.close())`).
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 * import { observability } from '@milkyway/observability';
 * import { serveMetrics, setupTelemetry } from '@milkyway/observability/setup';
 *
 * const telemetry = setupTelemetry({ serviceName: 'gateway', prometheus: true });
 * const service = createService({ name: 'gateway', version: '1.0.0' }).use(observability());
 * const admin = await serveMetrics(telemetry); // http://127.0.0.1:9464/metrics, not on the public port
 * service.onClose(() => admin.close());
 * await service.listen({ port: 8080 });
 * ```
 */
export async function serveMetrics(
  source: MetricsSource,
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const token = options.token;
  if (token === undefined && !LOOPBACK.test(hostname)) {
    throw new Error(
      `serveMetrics(): binding ${hostname} exposes the metrics beyond this host; pass a token (scrapes then send Authorization: Bearer <token>) or bind a loopback address`,
    );
  }
  if (token !== undefined && token.length < 16) {
    throw new Error('serveMetrics(): the token must be at least 16 characters');
  }
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);

  const server = createServer((request, response) => {
    void answer(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, 'metrics collection failed\n');
      else response.destroy();
    });
  });

  async function answer(request: IncomingMessage, response: ServerResponse) {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    if ((query === -1 ? url : url.slice(0, query)) !== path) {
      send(response, 404, 'not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    if (expected !== undefined) {
      const given = request.headers.authorization;
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        send(response, 401, 'unauthorized\n', { 'www-authenticate': 'Bearer realm="metrics"' });
        return;
      }
    }
    const scrape = await source.metricsHandler();
    const body = await scrape.text();
    response.writeHead(200, {
      'content-type': scrape.headers.get('content-type') ?? 'text/plain; version=0.0.4',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${port}${path}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}
