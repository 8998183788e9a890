import { randomUUID } from 'node:crypto';
import { inForceProjection } from '@twinning/audit';
import { recordLateSignatureStory, recorder } from '@twinning/audit/testing';
import { agreementId, kiel, stalingrad, storyOf, terms } from '@twinning/domain/testing';
import { matchesEventFilter, type RecordedEvent } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import type { Projection } from '@twinning/projections';
import { READ_MODEL_PROJECTIONS } from '@twinning/read-models';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The runner applies whole batches where a projection can (`batches`: prepared in memory, then
 * written) and falls back to one event at a time to find a poison event: both ways must leave the
 * very same rows, wherever the batch boundaries fall, and whether a batch is prepared while the
 * one before it is still unwritten (as the runner does while catching up), after it is written,
 * or from the tables alone.
 */
let database: TestDatabase;
let sql: SqlClient;
let events: RecordedEvent[];

beforeAll(async () => {
  database = await createTestDatabase();
  sql = createPgClient({ connectionString: database.connectionString });
  const store = await createPostgresEventStore(sql);
  // Interleaved histories, so one agreement's events are spread over several batches.
  await Promise.all(
    Array.from({ length: 8 }, () => recordLateSignatureStory(store, agreementId(randomUUID()))),
  );
  const record = recorder(store);
  const withdrawn = storyOf({
    id: agreementId(randomUUID()),
    proposer: kiel,
    partner: stalingrad,
    terms: terms({ title: 'Kiel and Stalingrad' }),
  });
  await record('2024-03-01T09:00:00.000Z', withdrawn.propose('2024-03-01'));
  await record(
    '2024-03-05T09:00:00.000Z',
    withdrawn.counterPropose('partner', '2024-03-05', terms({ title: 'Kiel and Volgograd' })),
  );
  await record('2024-03-09T09:00:00.000Z', withdrawn.withdraw('2024-03-09'));
  events = [];
  for await (const event of store.readAll()) events.push(event);
  await store.close();
});

afterAll(async () => {
  await sql.close();
  await database.drop();
});

const build = async (
  projection: Projection,
  schema: string,
  apply: (projection: Projection, schema: string, events: RecordedEvent[]) => Promise<void>,
): Promise<void> => {
  await sql.transaction(async (tx) => {
    await tx.exec(`CREATE SCHEMA "${schema}"`);
    await projection.setup(tx, schema);
  });
  await apply(
    projection,
    schema,
    events.filter((event) => matchesEventFilter(event, projection.filter)),
  );
};

const rowsOf = async (schema: string, table: string): Promise<string[]> => {
  const { rows } = await sql.query<{ row: string }>(
    `SELECT to_jsonb(t)::text AS row FROM "${schema}"."${table}" t ORDER BY 1`,
  );
  return rows.map((row) => row.row);
};

describe.each<Projection>([...READ_MODEL_PROJECTIONS, inForceProjection])(
  '$name: whole batches and single events',
  (projection) => {
    it('leave the same rows, wherever the batch boundaries fall', async () => {
      const steps = projection.batches;
      expect(steps).toBeDefined();
      if (steps === undefined) return;
      const one = `one_by_one_${projection.name}`;
      const batched = `batched_${projection.name}`;
      await build(projection, one, async (p, schema, relevant) => {
        await sql.transaction(async (tx) => {
          for (const event of relevant) await p.apply(tx, event, schema);
        });
      });
      await build(projection, batched, async (_p, schema, relevant) => {
        const sizes = [1, 7, 3, 20, 2, 11];
        const modes = ['before the last is written', 'after it is written', 'from the tables'];
        const write = (prepared: unknown) =>
          sql.transaction((tx) => steps.write(tx, prepared, schema));
        let unwritten: { readonly prepared: unknown } | undefined;
        let last: unknown;
        for (let start = 0, round = 0; start < relevant.length; round += 1) {
          const size = sizes[round % sizes.length] ?? 5;
          const mode = modes[round % modes.length];
          const batch = relevant.slice(start, start + size);
          if (mode !== 'before the last is written' && unwritten !== undefined) {
            await write(unwritten.prepared);
            unwritten = undefined;
          }
          const previous = mode === 'from the tables' ? undefined : last;
          const prepared = await steps.prepare(sql, batch, schema, previous);
          if (unwritten !== undefined) await write(unwritten.prepared);
          unwritten = { prepared };
          last = prepared;
          start += size;
        }
        if (unwritten !== undefined) await write(unwritten.prepared);
      });
      for (const table of projection.tables) {
        const expected = await rowsOf(one, table);
        expect(expected.length, `${table} has rows`).toBeGreaterThan(0);
        expect(await rowsOf(batched, table), table).toEqual(expected);
      }
    });
  },
);
