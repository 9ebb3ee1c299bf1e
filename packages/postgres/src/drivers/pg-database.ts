import { type Logger, silentLogger } from '@milkyway/protocol';
import { abortable } from '@milkyway/resilience';
import type { Pool, PoolClient } from 'pg';
import { asDatabaseError } from '../errors/classify.js';
import type { Database, DatabaseLock, SqlClient } from '../sql-client.js';
import { LOCK_CLASS, quoteIdent } from './lock-key.js';

/**
 * Options of {@link pgDatabase}.
 *
 * @example
 * ```ts
 * import type { PgDatabaseOptions } from '@milkyway/postgres/pg';
 *
 * const options: PgDatabaseOptions = { endPoolOnClose: false, lockHeartbeatMs: 2_000 };
 * ```
 */
export interface PgDatabaseOptions {
  /** Whether `close()` ends the pool (default `true`). */
  endPoolOnClose?: boolean;
  /** How often a held advisory lock checks that its connection is alive (ms, default 5 000). */
  lockHeartbeatMs?: number;
  /** Where connection errors of idle clients are logged (default: silent). */
  logger?: Logger;
}

const noop = () => {};

/**
 * Wraps a node-postgres `Pool` as a {@link Database}. Connection failures become
 * `DatabaseUnavailableError` (503). Idle-client errors are caught (they would otherwise crash
 * the process). For statement timeouts by default, create the pool with `createPgPool`.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { pgDatabase } from '@milkyway/postgres/pg';
 *
 * const db = pgDatabase(new pg.Pool({ connectionString: process.env.DATABASE_URL, statement_timeout: 10_000 }));
 * await db.ping();
 * await db.close();
 * ```
 */
export function pgDatabase(pool: Pool, options: PgDatabaseOptions = {}): Database {
  const logger = options.logger ?? silentLogger;
  const heartbeatMs = options.lockHeartbeatMs ?? 5_000;
  let closed: Promise<void> | undefined;
  pool.on('error', (error) => logger.warn({ err: error }, 'postgres: idle client error'));

  /** A pool client with an error listener for the time it is checked out. */
  async function checkout(): Promise<PoolClient> {
    try {
      const client = await pool.connect();
      client.on('error', noop);
      return client;
    } catch (error) {
      throw asDatabaseError(error);
    }
  }
  function giveBack(client: PoolClient, broken?: unknown) {
    client.off('error', noop);
    client.release(broken instanceof Error ? broken : broken ? true : undefined);
  }

  return {
    driver: 'pg',
    async query<Row>(text: string, params?: unknown[]) {
      try {
        const result = await pool.query(text, params);
        return result as unknown as { rows: Row[]; rowCount: number | null };
      } catch (error) {
        throw asDatabaseError(error);
      }
    },
    async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
      const client = await checkout();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        const mapped = asDatabaseError(error);
        if (mapped !== error) broken = error;
        else await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
        throw mapped;
      } finally {
        giveBack(client, broken);
      }
    },
    async tryLock(name) {
      const client = await checkout();
      let rows: Array<{ locked: boolean }>;
      try {
        ({ rows } = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
          [LOCK_CLASS, name],
        ));
      } catch (error) {
        giveBack(client, true);
        throw asDatabaseError(error);
      }
      if (!rows[0]?.locked) {
        giveBack(client);
        return undefined;
      }
      return heldLock(client, name, heartbeatMs, giveBack);
    },
    async listen(channel, onNotify, onLost) {
      const client = await checkout();
      const onNotification = (message: { channel: string; payload?: string }) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      };
      let stopped = false;
      const lost = (error?: unknown) => {
        if (stopped) return;
        stopped = true;
        giveBack(client, true);
        onLost?.(error instanceof Error ? error : new Error('the listening connection ended'));
      };
      client.on('notification', onNotification);
      client.on('error', lost);
      client.on('end', lost);
      try {
        await client.query(`LISTEN ${quoteIdent(channel)}`);
      } catch (error) {
        stopped = true;
        giveBack(client, true);
        throw asDatabaseError(error);
      }
      return async () => {
        if (stopped) return;
        stopped = true;
        client.off('notification', onNotification);
        client.off('error', lost);
        client.off('end', lost);
        try {
          await client.query(`UNLISTEN ${quoteIdent(channel)}`);
          giveBack(client);
        } catch {
          giveBack(client, true);
        }
      };
    },
    async ping(signal) {
      try {
        await abortable(pool.query('SELECT 1'), signal);
      } catch (error) {
        throw asDatabaseError(error);
      }
    },
    close() {
      if (options.endPoolOnClose === false) return Promise.resolve();
      closed ??= pool.end();
      return closed;
    },
  };
}

/** The advisory lock held by `client`: a heartbeat detects a broken connection. */
function heldLock(
  client: PoolClient,
  name: string,
  heartbeatMs: number,
  giveBack: (client: PoolClient, broken?: unknown) => void,
): DatabaseLock {
  const controller = new AbortController();
  let released = false;
  const lose = (error?: unknown) => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    giveBack(client, true);
    controller.abort(asDatabaseError(error ?? new Error('connection terminated')));
  };
  client.on('error', lose);
  client.on('end', lose);
  const heartbeat = setInterval(() => {
    client.query('SELECT 1').catch(lose);
  }, heartbeatMs);
  heartbeat.unref();
  return {
    signal: controller.signal,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      client.off('error', lose);
      client.off('end', lose);
      try {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, name]);
        giveBack(client);
      } catch {
        giveBack(client, true);
      }
    },
  };
}
