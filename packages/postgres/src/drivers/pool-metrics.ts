import { instrumentationScope } from '@milkyway/protocol';
import { type Meter, metrics } from '@opentelemetry/api';
import type { Pool } from 'pg';

/**
 * Options of {@link observePool}.
 *
 * @example
 * ```ts
 * import type { PoolMetricsOptions } from '@milkyway/postgres/pg';
 *
 * const options: PoolMetricsOptions = { name: 'orders' };
 * ```
 */
export interface PoolMetricsOptions {
  /** `db.client.connection.pool.name` attribute (default `default`). */
  name?: string;
  /** Meter to use (default: `@milkyway/postgres` from the global meter provider). */
  meter?: Meter;
}

/**
 * Reports a node-postgres pool through `@opentelemetry/api` (a no-op until an SDK is registered),
 * with the database client semantic conventions: `db.client.connection.count` by
 * `db.client.connection.state` (`idle`/`used`), `db.client.connection.pending_requests` and
 * `db.client.connection.max`. Returns a function that stops reporting.
 *
 * @example
 * ```ts
 * import { createPgPool, observePool } from '@milkyway/postgres/pg';
 *
 * const pool = createPgPool({ connectionString: process.env.DATABASE_URL, max: 10 });
 * const stop = observePool(pool, { name: 'orders' });
 * // on close:
 * stop();
 * ```
 */
export function observePool(pool: Pool, options: PoolMetricsOptions = {}): () => void {
  const meter = options.meter ?? metrics.getMeter(instrumentationScope('postgres'));
  const poolName = { 'db.client.connection.pool.name': options.name ?? 'default' };
  const count = meter.createObservableUpDownCounter('db.client.connection.count', {
    description: 'Connections in the pool by state',
    unit: '{connection}',
  });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    description: 'Requests waiting for a connection',
    unit: '{request}',
  });
  const max = meter.createObservableUpDownCounter('db.client.connection.max', {
    description: 'The most connections the pool opens',
    unit: '{connection}',
  });
  const callback = (result: import('@opentelemetry/api').BatchObservableResult) => {
    result.observe(count, pool.idleCount, { ...poolName, 'db.client.connection.state': 'idle' });
    result.observe(count, pool.totalCount - pool.idleCount, {
      ...poolName,
      'db.client.connection.state': 'used',
    });
    result.observe(pending, pool.waitingCount, poolName);
    result.observe(max, pool.options.max ?? 10, poolName);
  };
  meter.addBatchObservableCallback(callback, [count, pending, max]);
  return () => meter.removeBatchObservableCallback(callback, [count, pending, max]);
}
