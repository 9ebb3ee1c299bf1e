/**
 * The storefront as a system: which services exist, on which ports, and how they are wired
 * together through environment variables. `startStorefront()` starts them all (identity,
 * catalog and orders first, then the gateway) and returns their URLs.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
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
  /**
   * Give this run its own namespace on shared servers (tests): with DATABASE_URL, schemas
   * `sf_<run>_<service>` (dropped at stop), with NATS_URL, the subject prefix `sf_<run>`.
   * Default: true with `randomPorts`, else false (schemas `storefront_<service>`, prefix `events`).
   */
  isolateRun?: boolean;
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
  /** The data folder of each service (PGlite), or undefined with DATABASE_URL. */
  dataDirs: Partial<Record<ServiceName, string>>;
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
  const shared = { ...process.env, ...options.env };
  const run = randomBytes(4).toString('hex');
  const isolate = options.isolateRun ?? random;
  const wiring = {
    IDENTITY_URL: identityUrl,
    JWKS_URL: `${identityUrl}/.well-known/jwks.json`,
    TOKEN_ISSUER: identityUrl,
    CATALOG_URL: url(catalogPort),
    ORDERS_URL: url(ordersPort),
    // The secret the services send each other's POST /events (HTTP push), new every run.
    EVENTS_TOKEN: shared.EVENTS_TOKEN || randomBytes(24).toString('base64url'),
    ...(isolate && shared.NATS_URL ? { NATS_SUBJECT_PREFIX: `sf_${run}` } : {}),
  };
  // Each service's own data: a PostgreSQL schema with DATABASE_URL, else a PGlite folder that
  // outlives the process (a killed service restarts with its data) and goes with the run.
  const schemas: Partial<Record<ServiceName, string>> = {};
  const dataDirs: Partial<Record<ServiceName, string>> = {};
  let ownDataRoot: string | undefined;
  for (const name of ['catalog', 'orders'] as const) {
    if (shared.DATABASE_URL) {
      schemas[name] = isolate ? `sf_${run}_${name}` : `storefront_${name}`;
    } else {
      if (!shared.DATA_DIR && !ownDataRoot) {
        ownDataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-data-'));
      }
      dataDirs[name] = path.join(shared.DATA_DIR || ownDataRoot!, name);
    }
  }
  const dataEnv = (name: ServiceName) =>
    schemas[name]
      ? { DATABASE_SCHEMA: schemas[name] }
      : dataDirs[name]
        ? { DATA_DIR: dataDirs[name] }
        : {};
  const env = (name: ServiceName) => ({
    ...wiring,
    ...options.env,
    ...dataEnv(name),
    ...options.serviceEnv?.[name],
  });
  /** Drops this run's own schemas, JetStream streams and data folder (isolated runs only). */
  const cleanUp = async () => {
    if (ownDataRoot) fs.rmSync(ownDataRoot, { recursive: true, force: true });
    if (isolate && shared.NATS_URL) await deleteStreams(shared, `sf_${run}`);
    if (isolate && shared.DATABASE_URL && Object.keys(schemas).length > 0) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: shared.DATABASE_URL });
      try {
        await client.connect();
        for (const schema of Object.values(schemas)) {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        }
      } catch {
        // best effort: a test server that went away keeps its schemas
      } finally {
        await client.end().catch(() => {});
      }
    }
  };
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
    await cleanUp();
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
    dataDirs,
    async stop() {
      try {
        await supervisor.stopAll(['gateway', 'orders', 'catalog', 'identity']);
      } finally {
        await cleanUp();
      }
    },
  };
}

/** Deletes the JetStream streams of one subject prefix (an isolated run's), best effort. */
async function deleteStreams(environment: Record<string, string | undefined>, prefix: string) {
  const { connectNats, natsConfigFromEnv } = await import('@milkyway/nats');
  const codec = {
    encode: (v: unknown) => JSON.stringify(v),
    decode: (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)),
  };
  try {
    const nc = await connectNats({ ...natsConfigFromEnv(environment), name: 'storefront-cleanup' });
    try {
      const names = await nc.request(
        '$JS.API.STREAM.NAMES',
        codec.encode({ subject: `${prefix}.>` }),
        {
          timeout: 2_000,
        },
      );
      const streams: string[] = codec.decode(names.data).streams ?? [];
      for (const stream of streams) {
        await nc.request(`$JS.API.STREAM.DELETE.${stream}`, '', { timeout: 2_000 });
      }
    } finally {
      await nc.close();
    }
  } catch {
    // best effort: a server that went away keeps the streams
  }
}
