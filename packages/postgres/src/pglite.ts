export { type PgliteDatabaseOptions, pgliteDatabase } from './drivers/pglite-database.js';
