import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError, runMigrations, type Migration } from './migrations.js';
import { createPgClient } from './pg-client.js';
import { createPGliteClient } from './pglite-client.js';
import type { SqlClient } from './sql-client.js';
import { createTestDatabase, randomSchemaName, type TestDatabase } from './testing/index.js';

const describeMigrations = (
  dialect: SqlClient['dialect'],
  open: () => Promise<{ clients: SqlClient[]; dispose(): Promise<void> }>,
): void => {
  describe(`runMigrations (${dialect})`, () => {
    let clients: SqlClient[];
    let dispose: () => Promise<void>;
    let client: SqlClient;
    const schemas: string[] = [];

    const newSchema = (): string => {
      const schema = randomSchemaName('migrations');
      schemas.push(schema);
      return schema;
    };

    const migrationsFor = (schema: string): Migration[] => [
      {
        version: 1,
        name: 'towns',
        sql: `CREATE TABLE ${schema}.towns (id int PRIMARY KEY, name text NOT NULL);`,
      },
      {
        version: 2,
        name: 'town country',
        sql: `ALTER TABLE ${schema}.towns ADD COLUMN country text;
              INSERT INTO ${schema}.towns VALUES (1, 'Coventry', 'GB');`,
      },
    ];

    beforeAll(async () => {
      ({ clients, dispose } = await open());
      client = clients[0]!;
    });

    afterAll(async () => {
      for (const schema of schemas) await client.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await dispose();
    });

    it('applies every migration once, in order, and records them', async () => {
      const schema = newSchema();
      const first = await runMigrations(client, {
        name: 'towns',
        schema,
        migrations: migrationsFor(schema),
      });
      expect(first.applied).toEqual([1, 2]);

      const again = await runMigrations(client, {
        name: 'towns',
        schema,
        migrations: migrationsFor(schema),
      });
      expect(again.applied).toEqual([]);

      const { rows } = await client.query<{ version: number; name: string }>(
        `SELECT version, name FROM ${schema}.towns_migrations ORDER BY version`,
      );
      expect(rows).toEqual([
        { version: 1, name: 'towns' },
        { version: 2, name: 'town country' },
      ]);
      const towns = await client.query(`SELECT * FROM ${schema}.towns`);
      expect(towns.rows).toEqual([{ id: 1, name: 'Coventry', country: 'GB' }]);
    });

    it('applies only the migrations added since the last run', async () => {
      const schema = newSchema();
      const [v1, v2] = migrationsFor(schema);
      await runMigrations(client, { name: 'towns', schema, migrations: [v1!] });
      const report = await runMigrations(client, { name: 'towns', schema, migrations: [v1!, v2!] });
      expect(report.applied).toEqual([2]);
    });

    it('applies each migration exactly once when several runners start together', async () => {
      const schema = newSchema();
      const reports = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          runMigrations(clients[index % clients.length]!, {
            name: 'towns',
            schema,
            migrations: migrationsFor(schema),
          }),
        ),
      );
      expect(reports.flatMap((report) => report.applied).sort()).toEqual([1, 2]);
      const towns = await client.query(`SELECT * FROM ${schema}.towns`);
      expect(towns.rowCount).toBe(1);
    });

    it('rolls back a failing migration entirely', async () => {
      const schema = newSchema();
      const broken: Migration[] = [
        ...migrationsFor(schema),
        { version: 3, name: 'broken', sql: `ALTER TABLE ${schema}.nowhere ADD COLUMN x int;` },
      ];
      await expect(
        runMigrations(client, { name: 'towns', schema, migrations: broken }),
      ).rejects.toMatchObject({ name: 'SqlError', code: '42P01' });
      const tables = await client.query(
        `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'towns'`,
        [schema],
      );
      expect(tables.rowCount).toBe(0);
    });

    it('refuses a migration whose text changed after it was applied', async () => {
      const schema = newSchema();
      const migrations = migrationsFor(schema);
      await runMigrations(client, { name: 'towns', schema, migrations });
      const edited = migrations.map((migration) =>
        migration.version === 1 ? { ...migration, sql: `${migration.sql} -- edited` } : migration,
      );
      await expect(
        runMigrations(client, { name: 'towns', schema, migrations: edited }),
      ).rejects.toBeInstanceOf(MigrationError);
    });

    it('refuses unsafe names and unordered versions before touching the database', async () => {
      await expect(
        runMigrations(client, { name: 'towns; DROP', migrations: [] }),
      ).rejects.toBeInstanceOf(TypeError);
      await expect(
        runMigrations(client, { name: 'towns', schema: 'Public"', migrations: [] }),
      ).rejects.toBeInstanceOf(TypeError);
      await expect(
        runMigrations(client, {
          name: 'towns',
          migrations: [
            { version: 2, name: 'b', sql: 'SELECT 1' },
            { version: 1, name: 'a', sql: 'SELECT 1' },
          ],
        }),
      ).rejects.toBeInstanceOf(TypeError);
    });
  });
};

describe('on a PostgreSQL server', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  describeMigrations('postgres', () => {
    // Separate clients stand in for separate processes racing to migrate.
    const clients = Array.from({ length: 3 }, () =>
      createPgClient({ connectionString: database.connectionString, max: 2 }),
    );
    return Promise.resolve({
      clients,
      dispose: async () => {
        await Promise.all(clients.map((client) => client.close()));
      },
    });
  });
});

describeMigrations('pglite', async () => {
  const client = await createPGliteClient();
  return { clients: [client], dispose: () => client.close() };
});
