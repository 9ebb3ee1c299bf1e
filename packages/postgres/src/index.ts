export { DatabaseUnavailableError } from './errors/database-unavailable-error.js';
export { pruneEventLog } from './event-log/prune.js';
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
export {
  defineProjection,
  type ProjectionDefinition,
  type ProjectionEvent,
  type ProjectionTables,
} from './projection/projection.js';
export {
  createProjector,
  type ProjectionLag,
  type Projector,
  type ProjectorOptions,
} from './projection/projector.js';
export { type MigrateOptions, type MigrateResult, migrate } from './schema/migrate.js';
export { type Migration, migrations } from './schema/migrations.js';
export type { Database, DatabaseLock, SqlClient } from './sql-client.js';
