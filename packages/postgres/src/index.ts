export { DatabaseUnavailableError } from './errors/database-unavailable-error.js';
export { databaseReadiness, type ReadinessOptions } from './operations/readiness.js';
export { type MigrateOptions, type MigrateResult, migrate } from './schema/migrate.js';
export { type Migration, migrations } from './schema/migrations.js';
export type { Database, DatabaseLock, SqlClient } from './sql-client.js';
