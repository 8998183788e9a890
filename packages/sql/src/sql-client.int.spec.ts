import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgClient } from './pg-client.js';
import { createPGliteClient } from './pglite-client.js';
import { encodeCopyRows, type SqlClient } from './sql-client.js';
import { SqlError, SqlState, isSqlError } from './sql-error.js';
import { createTestDatabase, randomSchemaName, type TestDatabase } from './testing/index.js';

const waitFor = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const describeSqlClient = (
  dialect: SqlClient['dialect'],
  open: () => Promise<{ client: SqlClient; dispose(): Promise<void> }>,
): void => {
  describe(`SqlClient (${dialect})`, () => {
    let client: SqlClient;
    let dispose: () => Promise<void>;
    let schema: string;

    beforeAll(async () => {
      ({ client, dispose } = await open());
      schema = randomSchemaName();
      await client.exec(`CREATE SCHEMA ${schema}`);
      await client.exec(
        `CREATE TABLE ${schema}.towns (id bigint PRIMARY KEY, name text NOT NULL UNIQUE, info jsonb, twinned_at timestamptz)`,
      );
    });

    afterAll(async () => {
      await client.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await dispose();
    });

    it('names its dialect', () => {
      expect(client.dialect).toBe(dialect);
    });

    it('binds parameters and returns int8 as strings, jsonb parsed and timestamptz as Date', async () => {
      const twinnedAt = new Date('1944-01-01T00:00:00.000Z');
      const inserted = await client.query(
        `INSERT INTO ${schema}.towns (id, name, info, twinned_at) VALUES ($1, $2, $3::jsonb, $4)`,
        [
          9_007_199_254_740_993n,
          'Coventry',
          JSON.stringify({ country: 'GB', twins: 26 }),
          twinnedAt,
        ],
      );
      expect(inserted.rowCount).toBe(1);

      const { rows, rowCount } = await client.query<{
        id: string;
        name: string;
        info: unknown;
        twinned_at: Date;
      }>(`SELECT id, name, info, twinned_at FROM ${schema}.towns WHERE id = $1`, [
        9_007_199_254_740_993n,
      ]);
      expect(rowCount).toBe(1);
      expect(rows).toEqual([
        {
          id: '9007199254740993',
          name: 'Coventry',
          info: { country: 'GB', twins: 26 },
          twinned_at: twinnedAt,
        },
      ]);
    });

    it('counts the rows an UPDATE changed', async () => {
      await client.query(
        `INSERT INTO ${schema}.towns (id, name) VALUES (2, 'Kiel'), (3, 'Dresden')`,
      );
      const updated = await client.query(
        `UPDATE ${schema}.towns SET info = '{}'::jsonb WHERE id = ANY($1::bigint[])`,
        [[2n, 3n]],
      );
      expect(updated.rowCount).toBe(2);
    });

    it('reports a unique violation as SqlError with SQLSTATE and constraint', async () => {
      await client.query(`INSERT INTO ${schema}.towns (id, name) VALUES (10, 'Belgrade')`);
      const error: unknown = await client
        .query(`INSERT INTO ${schema}.towns (id, name) VALUES (11, 'Belgrade')`)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SqlError);
      expect(isSqlError(error, SqlState.uniqueViolation)).toBe(true);
      expect((error as SqlError).constraint).toBe('towns_name_key');
      expect((error as SqlError).connectionLost).toBe(false);
    });

    it('reports a missing table and bad input with their SQLSTATE', async () => {
      await expect(client.query(`SELECT * FROM ${schema}.nowhere`)).rejects.toMatchObject({
        name: 'SqlError',
        code: SqlState.undefinedTable,
      });
      await expect(client.query('SELECT $1::int AS n', ['Toledo'])).rejects.toMatchObject({
        code: SqlState.invalidTextRepresentation,
      });
    });

    it('commits a transaction whose callback resolves', async () => {
      const result = await client.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${schema}.towns (id, name) VALUES (20, 'Volgograd')`);
        await tx.query(`INSERT INTO ${schema}.towns (id, name) VALUES (21, 'Toledo')`);
        return 'done';
      });
      expect(result).toBe('done');
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${schema}.towns WHERE id IN (20, 21)`,
      );
      expect(rows[0]?.n).toBe('2');
    });

    it('rolls back a transaction whose callback throws, and rethrows that error untouched', async () => {
      class NotAllowed extends Error {}
      const thrown = new NotAllowed('suspended');
      await expect(
        client.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${schema}.towns (id, name) VALUES (30, 'Stalingrad')`);
          throw thrown;
        }),
      ).rejects.toBe(thrown);
      const { rowCount } = await client.query(`SELECT 1 FROM ${schema}.towns WHERE id = 30`);
      expect(rowCount).toBe(0);
    });

    it('rolls back when a statement inside the transaction fails', async () => {
      await expect(
        client.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${schema}.towns (id, name) VALUES (40, 'Lidice')`);
          await tx.query(`INSERT INTO ${schema}.towns (id, name) VALUES (41, 'Lidice')`);
        }),
      ).rejects.toMatchObject({ code: SqlState.uniqueViolation });
      const { rowCount } = await client.query(`SELECT 1 FROM ${schema}.towns WHERE id = 40`);
      expect(rowCount).toBe(0);
    });

    it('runs scripts of several statements', async () => {
      await client.exec(
        `CREATE TABLE ${schema}.script_a (n int); CREATE TABLE ${schema}.script_b (n int); INSERT INTO ${schema}.script_a VALUES (1);`,
      );
      const { rows } = await client.query<{ n: number }>(`SELECT n FROM ${schema}.script_a`);
      expect(rows).toEqual([{ n: 1 }]);
    });

    it('delivers NOTIFY payloads to listeners until they stop listening', async () => {
      const channel = randomSchemaName('channel');
      const received: string[] = [];
      const stop = await client.listen(channel, (payload) => received.push(payload));
      await client.query('SELECT pg_notify($1, $2)', [channel, 'first']);
      await client.transaction(async (tx) => {
        await tx.query('SELECT pg_notify($1, $2)', [channel, 'committed']);
      });
      await waitFor(() => received.length === 2);
      expect(received).toEqual(['first', 'committed']);

      await stop();
      await client.query('SELECT pg_notify($1, $2)', [channel, 'after stop']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toEqual(['first', 'committed']);
    });

    it('listens on several channels asked for at once, and twice on one', async () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(warning.message);
      process.on('warning', onWarning);
      try {
        const channels = [1, 2, 3].map(() => randomSchemaName('channel'));
        const heard = new Map<string, string[]>();
        const hear = (key: string) => (payload: string) =>
          heard.set(key, [...(heard.get(key) ?? []), payload]);
        const stops = await Promise.all([
          ...channels.map((channel) => client.listen(channel, hear(channel))),
          client.listen(channels[0] ?? '', hear('again')),
        ]);
        for (const channel of channels) {
          await client.query('SELECT pg_notify($1, $2)', [channel, `to ${channel}`]);
        }
        await waitFor(() => heard.size === 4);
        for (const channel of channels) expect(heard.get(channel)).toEqual([`to ${channel}`]);
        expect(heard.get('again')).toEqual([`to ${channels[0] ?? ''}`]);
        await Promise.all(stops.map((stop) => stop()));
        // node-postgres warns when a connection is handed a query while it runs another.
        expect(warnings.filter((message) => message.includes('already executing'))).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('does not notify for a rolled-back transaction', async () => {
      const channel = randomSchemaName('channel');
      const received: string[] = [];
      const stop = await client.listen(channel, (payload) => received.push(payload));
      await expect(
        client.transaction(async (tx) => {
          await tx.query('SELECT pg_notify($1, $2)', [channel, 'never']);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await client.query('SELECT pg_notify($1, $2)', [channel, 'later']);
      await waitFor(() => received.length > 0);
      expect(received).toEqual(['later']);
      await stop();
    });

    it('refuses channel names that are not plain identifiers', async () => {
      await expect(client.listen('events; DROP TABLE x', () => undefined)).rejects.toThrow(
        TypeError,
      );
    });

    it('copies rows with every kind of value, and the characters COPY would otherwise take as structure', async () => {
      await client.exec(
        `CREATE TABLE ${schema}.copied (id bigint, name text, info jsonb, at timestamptz, ok boolean, note text)`,
      );
      const awkward = 'tab\there, new\nline, cr\rend, back\\slash, \\N, ünïcödé';
      const at = new Date('2001-05-19T10:30:00.000Z');
      const rows = encodeCopyRows(
        ['id', 'name', 'info', 'at', 'ok', 'note'],
        [
          [9_007_199_254_740_993n, awkward, JSON.stringify({ quote: 'a "b"\tc' }), at, true, null],
          [2, '', 'null', null, false, '\\N'],
        ],
      );
      expect(await client.transaction((tx) => tx.copyRows(`${schema}.copied`, rows))).toBe(2);
      const { rows: copied } = await client.query<Record<string, unknown>>(
        `SELECT id, name, info, at, ok, note FROM ${schema}.copied ORDER BY name DESC`,
      );
      expect(copied).toEqual([
        {
          id: '9007199254740993',
          name: awkward,
          info: { quote: 'a "b"\tc' },
          at,
          ok: true,
          note: null,
        },
        { id: '2', name: '', info: null, at: null, ok: false, note: '\\N' },
      ]);
      expect(await client.copyRows(`${schema}.copied`, encodeCopyRows(['id'], []))).toBe(0);
    });

    it('copies nothing when a row is refused, and reports it as an SqlError', async () => {
      await client.exec(`CREATE TABLE ${schema}.strict (id bigint PRIMARY KEY, day date NOT NULL)`);
      const refused = encodeCopyRows(
        ['id', 'day'],
        [
          [1, '2024-01-01'],
          [2, 'not a date'],
        ],
      );
      const error = await client
        .transaction((tx) => tx.copyRows(`${schema}.strict`, refused))
        .catch((caught: unknown) => caught);
      expect(isSqlError(error)).toBe(true);
      expect((error as SqlError).code).toBe('22007');
      expect((await client.query(`SELECT * FROM ${schema}.strict`)).rows).toEqual([]);
      // The connection is usable afterwards.
      const fine = encodeCopyRows(['id', 'day'], [[3, '2024-02-29']]);
      await client.transaction((tx) => tx.copyRows(`${schema}.strict`, fine));
      expect((await client.query(`SELECT id FROM ${schema}.strict`)).rows).toEqual([{ id: '3' }]);
    });

    it('refuses a row with the wrong number of values, and a column that is not a plain name', () => {
      expect(() => encodeCopyRows(['id', 'name'], [[1]])).toThrow(/1 values for 2 columns/);
      expect(() => encodeCopyRows(['id; DROP'], [[1]])).toThrow(/Invalid column name/);
    });

    it('runs a session with its own transactions', async () => {
      const total = await client.withSession(async (session) => {
        await session.query('SELECT pg_advisory_lock(4242)');
        const inner = await session.transaction(async (tx) => {
          const { rows } = await tx.query<{ n: number }>('SELECT 1 + 1 AS n');
          return rows[0]?.n;
        });
        await session.query('SELECT pg_advisory_unlock(4242)');
        return inner;
      });
      expect(total).toBe(2);
    });
  });
};

describe('node-postgres client', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  describeSqlClient('postgres', () => {
    const client = createPgClient({ connectionString: database.connectionString });
    return Promise.resolve({ client, dispose: () => client.close() });
  });

  describe('server-only behaviour', () => {
    let client: SqlClient;
    let admin: SqlClient;

    beforeAll(() => {
      client = createPgClient({ connectionString: database.connectionString, max: 4 });
      admin = createPgClient({ connectionString: database.connectionString, max: 1 });
    });

    afterAll(async () => {
      await client.close();
      await admin.close();
    });

    const terminateOtherConnections = (): Promise<unknown> =>
      admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );

    it('holds session-level advisory locks for the whole session, then releases them', async () => {
      const key = 777;
      const tryLock = () =>
        admin
          .query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [key])
          .then(({ rows }) => rows[0]?.locked);

      let lockedElsewhere: boolean | undefined;
      await client.withSession(async (session) => {
        await session.query('SELECT pg_advisory_lock($1)', [key]);
        await session.query('SELECT 1');
        lockedElsewhere = await tryLock();
      });
      expect(lockedElsewhere).toBe(false);
      // The session ended without unlocking: its connection is closed, never pooled with the lock.
      let lockedAfterSession = await tryLock();
      for (let attempt = 0; !lockedAfterSession && attempt < 100; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        lockedAfterSession = await tryLock();
      }
      expect(lockedAfterSession).toBe(true);
    });

    it('reports a terminated connection as connectionLost and recovers on the next query', async () => {
      const failure = client.withSession(async (session) => {
        await terminateOtherConnections();
        await session.query('SELECT 1');
      });
      await expect(failure).rejects.toMatchObject({ name: 'SqlError', connectionLost: true });
      const { rows } = await client.query<{ n: number }>('SELECT 1 AS n');
      expect(rows).toEqual([{ n: 1 }]);
    });

    it('listens again after the listening connection was terminated', async () => {
      const channel = randomSchemaName('channel');
      const received: string[] = [];
      const stop = await client.listen(channel, (payload) => received.push(payload));
      await terminateOtherConnections();
      await waitFor(() => {
        void admin.query('SELECT pg_notify($1, $2)', [channel, 'back']);
        return received.includes('back');
      }, 10_000);
      await stop();
    });

    it('fails with a connection error when the server cannot be reached', async () => {
      const unreachable = createPgClient({
        connectionString: 'postgres://postgres@127.0.0.1:1/none',
      });
      await expect(unreachable.query('SELECT 1')).rejects.toMatchObject({
        name: 'SqlError',
        connectionLost: true,
        code: undefined,
      });
      await unreachable.close();
    });
  });
});

describeSqlClient('pglite', async () => {
  const client = await createPGliteClient();
  return { client, dispose: () => client.close() };
});
