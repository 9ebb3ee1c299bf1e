/**
 * The real servers of the services variant of the fault suite: a fresh PostgreSQL database per
 * run (the machine's server, trust auth) reached through a cuttable proxy, and a test-owned
 * `nats-server` (so the test may kill and restart it).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { startNatsServer } from '../../../../test-support/nats-server.js';
import { serviceAvailable } from '../../../../test-support/services.js';
import type { E2eServers } from '../events-e2e.js';
import { startTcpProxy } from './tcp-proxy.js';

/** The server to create the run's database on (its database is only used to connect). */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Whether the services variant can run: PostgreSQL reachable and `nats-server` installed. With
 * `MILKYWAY_REQUIRE_SERVICES=1` (CI) a missing one fails the run instead of skipping it.
 */
export async function realServersAvailable(): Promise<boolean> {
  const url = new URL(ADMIN_URL);
  const postgres = await serviceAvailable('postgres', Number(url.port || 5432), url.hostname);
  let nats = true;
  try {
    await promisify(execFile)('nats-server', ['--version']);
  } catch {
    nats = false;
    const message =
      'nats-server is not installed (the fault suite starts its own, to restart it): install it from https://github.com/nats-io/nats-server/releases';
    if (process.env.MILKYWAY_REQUIRE_SERVICES === '1')
      throw new Error(
        `${message} (MILKYWAY_REQUIRE_SERVICES=1, so this fails instead of skipping)`,
      );
    console.warn(`[skip] ${message}`);
  }
  return postgres && nats;
}

/** Creates the run's database, the proxy in front of PostgreSQL and the nats-server. */
export async function startRealServers(): Promise<E2eServers> {
  const pg = (await import('pg')).default;
  const admin = new URL(ADMIN_URL);
  const database = `mw_e2e_${randomBytes(4).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: ADMIN_URL });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${database}`);
  await adminClient.end();
  const direct = new URL(admin);
  direct.pathname = `/${database}`;
  const dropDatabase = async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  let pgProxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  try {
    pgProxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
    nats = await startNatsServer();
  } catch (error) {
    await pgProxy?.close();
    await dropDatabase();
    throw error;
  }
  const viaProxy = new URL(direct);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(pgProxy.port);
  return {
    env: { DATABASE_URL: direct.toString(), NATS_URL: nats.url },
    serviceEnv: {
      orders: { DATABASE_URL: viaProxy.toString() },
      catalog: { DATABASE_URL: viaProxy.toString() },
    },
    nats,
    pgProxy,
    async stop() {
      try {
        await nats.stop();
        await pgProxy!.close();
      } finally {
        await dropDatabase();
      }
    },
  };
}
