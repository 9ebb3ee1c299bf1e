/**
 * The storefront as a system: which services exist, on which ports, and how they are wired
 * together through environment variables. `startStorefront()` starts them all (identity,
 * catalog and orders first, then the gateway) and returns their URLs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './ports.js';
import { type ServiceSpec, Supervisor, type SupervisorOptions } from './supervisor.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The services, their folders and default ports (each overridable with its `*_PORT`). */
export const SERVICES = {
  identity: {
    dir: path.join(root, 'identity'),
    portEnv: 'IDENTITY_PORT',
    defaultPort: 4001,
    metricsPortEnv: 'IDENTITY_METRICS_PORT',
    defaultMetricsPort: 9401,
  },
  catalog: {
    dir: path.join(root, 'catalog'),
    portEnv: 'CATALOG_PORT',
    defaultPort: 4002,
    metricsPortEnv: 'CATALOG_METRICS_PORT',
    defaultMetricsPort: 9402,
  },
  orders: {
    dir: path.join(root, 'orders'),
    portEnv: 'ORDERS_PORT',
    defaultPort: 4003,
    metricsPortEnv: 'ORDERS_METRICS_PORT',
    defaultMetricsPort: 9403,
  },
  gateway: {
    dir: path.join(root, 'gateway'),
    portEnv: 'GATEWAY_PORT',
    defaultPort: 4000,
    metricsPortEnv: 'GATEWAY_METRICS_PORT',
    defaultMetricsPort: 9400,
  },
} as const;

/** A service name. */
export type ServiceName = keyof typeof SERVICES;

/** How to start the storefront. */
export interface StorefrontOptions extends SupervisorOptions {
  /** Use free random ports instead of the `*_PORT` / default ports (tests). */
  randomPorts?: boolean;
  /** How many gateway replicas (default 1); replicas are named gateway, gateway-2, ... */
  gatewayReplicas?: number;
  /** Environment for every service (e.g. REDIS_URL, TRACE_FILE, LOG_LEVEL). */
  env?: Record<string, string | undefined>;
  /** Environment for one service only. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string | undefined>>>;
  /** How long each service may take to become ready. */
  readyTimeoutMs?: number;
}

/** A running storefront. */
export interface Storefront {
  /** The supervisor owning the processes. */
  supervisor: Supervisor;
  /** Base URL of each service (the first gateway replica under `gateway`). */
  urls: Record<ServiceName, string>;
  /** Base URLs of every gateway replica. */
  gateways: string[];
  /** The spec each service was started with (to restart one with the same port). */
  specs: ServiceSpec[];
  /** Stops everything gracefully: gateways first, then orders, catalog, identity. */
  stop(): Promise<void>;
}

function configuredPort(name: ServiceName, offset = 0, kind: 'public' | 'metrics' = 'public') {
  const s = SERVICES[name];
  const [portEnv, defaultPort] =
    kind === 'public' ? [s.portEnv, s.defaultPort] : [s.metricsPortEnv, s.defaultMetricsPort];
  const fromEnv = Number(process.env[portEnv]);
  return (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultPort) + offset;
}

/** Starts identity, catalog and orders, then the gateway replica(s); resolves when all are ready. */
export async function startStorefront(options: StorefrontOptions = {}): Promise<Storefront> {
  const supervisor = new Supervisor(options);
  const random = options.randomPorts ?? false;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const replicas = Math.max(1, options.gatewayReplicas ?? 1);
  const gatewayPorts: number[] = [];
  const gatewayMetricsPorts: number[] = [];
  let identityPort: number;
  let catalogPort: number;
  let ordersPort: number;
  // The loopback admin listeners serving each service's /metrics.
  const metricsPorts = {} as Record<Exclude<ServiceName, 'gateway'>, number>;
  if (random) {
    const ports = await freePorts(2 * (3 + replicas));
    [identityPort, catalogPort, ordersPort] = ports as [number, number, number];
    gatewayPorts.push(...ports.slice(3, 3 + replicas));
    [metricsPorts.identity, metricsPorts.catalog, metricsPorts.orders] = ports.slice(
      3 + replicas,
    ) as [number, number, number];
    gatewayMetricsPorts.push(...ports.slice(6 + replicas));
  } else {
    identityPort = configuredPort('identity');
    catalogPort = configuredPort('catalog');
    ordersPort = configuredPort('orders');
    for (const name of ['identity', 'catalog', 'orders'] as const) {
      metricsPorts[name] = configuredPort(name, 0, 'metrics');
    }
    for (let i = 0; i < replicas; i++) {
      gatewayPorts.push(configuredPort('gateway', i * 10));
      gatewayMetricsPorts.push(configuredPort('gateway', i * 10, 'metrics'));
    }
  }

  const url = (port: number) => `http://127.0.0.1:${port}`;
  const identityUrl = url(identityPort);
  const wiring = {
    IDENTITY_URL: identityUrl,
    JWKS_URL: `${identityUrl}/.well-known/jwks.json`,
    TOKEN_ISSUER: identityUrl,
    CATALOG_URL: url(catalogPort),
    ORDERS_URL: url(ordersPort),
  };
  const env = (name: ServiceName) => ({
    ...wiring,
    ...options.env,
    ...options.serviceEnv?.[name],
  });
  const spec = (
    name: ServiceName,
    port: number,
    metricsPort: number,
    instance: string = name,
  ): ServiceSpec => ({
    name: instance,
    dir: SERVICES[name].dir,
    port,
    metricsPort,
    env: env(name),
  });

  const backends = [
    spec('identity', identityPort, metricsPorts.identity),
    spec('catalog', catalogPort, metricsPorts.catalog),
    spec('orders', ordersPort, metricsPorts.orders),
  ];
  const gateways = gatewayPorts.map((port, i) =>
    spec('gateway', port, gatewayMetricsPorts[i]!, i === 0 ? 'gateway' : `gateway-${i + 1}`),
  );
  try {
    // All at once: nothing needs another service to start (tokens are checked lazily).
    await supervisor.start([...backends, ...gateways], readyTimeoutMs);
  } catch (error) {
    await supervisor.stopAll(['gateway'], 3_000);
    throw error;
  }
  return {
    supervisor,
    urls: {
      identity: identityUrl,
      catalog: wiring.CATALOG_URL,
      orders: wiring.ORDERS_URL,
      gateway: url(gatewayPorts[0]!),
    },
    gateways: gatewayPorts.map(url),
    specs: [...backends, ...gateways],
    stop: () => supervisor.stopAll(['gateway', 'orders', 'catalog', 'identity']),
  };
}
