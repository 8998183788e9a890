export type * from './sql-client.js';
export { encodeCopyRows } from './sql-client.js';
export { SqlError, SqlState, isSqlError } from './sql-error.js';
export { createPgClient, type PgClientOptions } from './pg-client.js';
export { createPGliteClient, type PGliteClientOptions } from './pglite-client.js';
export {
  runMigrations,
  MigrationError,
  type Migration,
  type MigrationPlan,
  type MigrationReport,
} from './migrations.js';
