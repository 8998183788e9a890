import { createHash } from 'node:crypto';
import type { SqlClient, SqlTransaction } from './sql-client.js';
import { SqlError, SqlState } from './sql-error.js';

export interface Migration {
  /** Positive integer; migrations run in ascending order, each exactly once. */
  readonly version: number;
  readonly name: string;
  /** One or more statements, run inside the migration transaction. */
  readonly sql: string;
}

export interface MigrationPlan {
  /** The component owning the migrations (e.g. `event_store`); names the table `<name>_migrations`. */
  readonly name: string;
  /** Schema holding the migrations table; created if missing. Default: the search path's first. */
  readonly schema?: string | undefined;
  readonly migrations: readonly Migration[];
}

export interface MigrationReport {
  /** Versions applied by this call, in order; empty when the schema was already up to date. */
  readonly applied: readonly number[];
}

/** The migrations in code disagree with the ones already applied. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const identifierPattern = /^[a-z_][a-z0-9_]{0,50}$/;

const assertIdentifier = (value: string, what: string): void => {
  if (!identifierPattern.test(value)) {
    throw new TypeError(
      `Invalid ${what} ${JSON.stringify(value)}: use lower-case letters, digits and _`,
    );
  }
};

const checksumOf = (migration: Migration): string =>
  createHash('sha256').update(migration.name).update('\0').update(migration.sql).digest('hex');

const validate = (plan: MigrationPlan): void => {
  assertIdentifier(plan.name, 'component name');
  if (plan.schema !== undefined) assertIdentifier(plan.schema, 'schema name');
  let previous = 0;
  for (const migration of plan.migrations) {
    if (!Number.isSafeInteger(migration.version) || migration.version <= previous) {
      throw new TypeError(
        `Migration versions of ${plan.name} must be positive integers in ascending order (got ${migration.version} after ${previous})`,
      );
    }
    previous = migration.version;
  }
};

/** Creating the same schema from two components at once can still collide; a retry settles it. */
const isCreationRace = (error: unknown): boolean =>
  error instanceof SqlError &&
  (error.code === SqlState.uniqueViolation ||
    error.code === SqlState.duplicateSchema ||
    error.code === SqlState.duplicateTable);

const applyPending = async (tx: SqlTransaction, plan: MigrationPlan): Promise<number[]> => {
  const table =
    plan.schema === undefined
      ? `"${plan.name}_migrations"`
      : `"${plan.schema}"."${plan.name}_migrations"`;
  // Transaction-level: released by COMMIT/ROLLBACK, so a crashed runner never leaves it held.
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `twinning.migrations:${plan.schema ?? ''}.${plan.name}`,
  ]);
  if (plan.schema !== undefined) await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${plan.schema}"`);
  await tx.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (
       version integer PRIMARY KEY,
       name text NOT NULL,
       checksum text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const { rows } = await tx.query<{ version: number; checksum: string }>(
    `SELECT version, checksum FROM ${table}`,
  );
  const appliedChecksums = new Map(rows.map((row) => [row.version, row.checksum]));
  const applied: number[] = [];
  for (const migration of plan.migrations) {
    const checksum = checksumOf(migration);
    const appliedChecksum = appliedChecksums.get(migration.version);
    if (appliedChecksum !== undefined) {
      if (appliedChecksum !== checksum) {
        throw new MigrationError(
          `Migration ${plan.name} v${migration.version} (${migration.name}) changed after it was applied`,
        );
      }
      continue;
    }
    await tx.exec(migration.sql);
    await tx.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
      migration.version,
      migration.name,
      checksum,
    ]);
    applied.push(migration.version);
  }
  return applied;
};

/**
 * Applies the migrations not yet recorded, all in one transaction. Several processes may run it
 * at once: a transaction-level advisory lock keyed by the component lets one apply while the
 * others wait and then find nothing left to do. Versions recorded in the database but unknown to
 * the code are left alone, so an older release can still start against a newer schema.
 */
export const runMigrations = async (
  client: SqlClient,
  plan: MigrationPlan,
): Promise<MigrationReport> => {
  validate(plan);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const applied = await client.transaction((tx) => applyPending(tx, plan));
      return { applied };
    } catch (error) {
      if (attempt >= 3 || !isCreationRace(error)) throw error;
    }
  }
};
