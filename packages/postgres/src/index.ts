export { DatabaseUnavailableError } from './errors/database-unavailable-error.js';
export { keyOrder } from './inbox/key-order.js';
export { KeyOutOfOrderError } from './inbox/key-out-of-order-error.js';
export { type PostgresInbox, postgresInbox } from './inbox/postgres-inbox.js';
export { databaseReadiness, type ReadinessOptions } from './operations/readiness.js';
export {
  createOutbox,
  type EnqueueOptions,
  type Outbox,
  type OutboxOptions,
} from './outbox/outbox.js';
export { createRelay, type Relay, type RelayOptions, type RelayStatus } from './outbox/relay.js';
export { type MigrateOptions, type MigrateResult, migrate } from './schema/migrate.js';
export { type Migration, migrations } from './schema/migrations.js';
export type { Database, DatabaseLock, SqlClient } from './sql-client.js';
