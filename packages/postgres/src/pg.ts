export { createPgPool, type PgPoolOptions } from './drivers/create-pg-pool.js';
export { type PgDatabaseOptions, pgDatabase } from './drivers/pg-database.js';
export { observePool, type PoolMetricsOptions } from './drivers/pool-metrics.js';
