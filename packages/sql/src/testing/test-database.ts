import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the integration tests use; override with `TEST_DATABASE_URL`. */
export const testServerUrl =
  process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly name: string;
  readonly connectionString: string;
  /** Drops the database, terminating any connection still open to it. */
  drop(): Promise<void>;
}

const onAdminConnection = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: testServerUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

/**
 * A fresh database with a random name on the test server, for one test file; with `template`, a
 * copy of that database (which nobody may be connected to meanwhile). The copy is made file by
 * file: copying a large database through the WAL would leave the server writing it out for a
 * while after, in the middle of whatever runs next.
 */
export const createTestDatabase = async (
  options: { readonly template?: string } = {},
): Promise<TestDatabase> => {
  const name = `twinning_test_${randomBytes(6).toString('hex')}`;
  const template =
    options.template === undefined ? '' : ` TEMPLATE "${options.template}" STRATEGY FILE_COPY`;
  await onAdminConnection((client) => client.query(`CREATE DATABASE "${name}"${template}`));
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return {
    name,
    connectionString: url.toString(),
    drop: async () => {
      await onAdminConnection((client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
};

/** A random schema name for tests that share one database. */
export const randomSchemaName = (prefix = 'test'): string =>
  `${prefix}_${randomBytes(6).toString('hex')}`;
