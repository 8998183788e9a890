import { agreementId, date } from '@twinning/domain/testing';
import { chainHash, type EventStore } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, randomSchemaName, type TestDatabase } from '@twinning/sql/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditor, type Auditor } from './auditor.js';
import { inForceRecordFromLog } from './in-force-query.js';
import { createSqlInForceQuery, inForceProjection } from './in-force-projection.js';
import type { LogDigest } from './log-digest.js';
import { createPostgresStreamHeads } from './stream-heads.js';
import { recordLateSignatureStory } from './testing/recorded-story.js';

const idA = agreementId('aaaaaaaa-1111-4111-8111-111111111111');
const idB = agreementId('bbbbbbbb-2222-4222-8222-222222222222');
const streamA = `agreement-${idA}`;

let database: TestDatabase;
let client: SqlClient;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createPgClient({ connectionString: database.connectionString, max: 10 });
});
afterAll(async () => {
  await client.close();
  await database.drop();
});

describe('tampering with event_store.events in PostgreSQL', () => {
  let schema: string;
  let store: EventStore;
  let auditor: Auditor;
  /** The digest an auditor wrote down before anyone touched the table. */
  let writtenDown: LogDigest;

  beforeEach(async () => {
    schema = randomSchemaName('audit');
    store = await createPostgresEventStore(client, { schema });
    await recordLateSignatureStory(store, idA);
    await recordLateSignatureStory(store, idB);
    auditor = createAuditor({ store, streamHeads: createPostgresStreamHeads(client, schema) });
    const intact = await auditor.verifyLog();
    expect(intact.firstBreak).toBeUndefined();
    writtenDown = intact.digest;
    return async () => {
      await store.close();
      await client.exec(`DROP SCHEMA "${schema}" CASCADE`);
    };
  });

  const tamper = (statement: string, params: (string | number)[] = []) =>
    client.query(statement.replaceAll('$events', `"${schema}".events`), params);

  const positionOf = async (revision: number): Promise<bigint> => {
    const { rows } = await client.query<{ position: string }>(
      `SELECT position::text AS position FROM "${schema}".events WHERE stream_id = $1 AND revision = $2`,
      [streamA, revision],
    );
    return BigInt(rows[0]!.position);
  };

  const digestAtWrittenDownPosition = async () =>
    (await auditor.verifyLog({ at: writtenDown.position! })).digest;

  it.each([
    ['data', `UPDATE $events SET data = jsonb_set(data, '{resolutionReference}', '"forged"')`],
    [
      'metadata',
      `UPDATE $events SET metadata = jsonb_set(metadata, '{correlationId}', '"forged"')`,
    ],
    ['type', `UPDATE $events SET type = 'TermsAccepted'`],
  ])('finds an UPDATE of %s at the altered revision', async (_what, update) => {
    const position = await positionOf(4);
    await tamper(`${update} WHERE stream_id = $1 AND revision = 4`, [streamA]);
    const verified = await auditor.verifyLog();
    expect(verified.breaks).toBe(1);
    expect(verified.firstBreak).toMatchObject({
      kind: 'hash_mismatch',
      streamId: streamA,
      revision: 4n,
      position,
    });
    const ofAgreement = await auditor.verifyAgreement(idA);
    expect(ofAgreement.firstBreak).toEqual(verified.firstBreak);
    expect((await auditor.verifyAgreement(idB)).firstBreak).toBeUndefined();
  });

  it('finds a rewritten hash and a rewritten prevHash', async () => {
    await tamper(`UPDATE $events SET hash = $2 WHERE stream_id = $1 AND revision = 7`, [
      streamA,
      'f'.repeat(64),
    ]);
    expect((await auditor.verifyLog()).firstBreak).toMatchObject({
      kind: 'hash_mismatch',
      revision: 7n,
      found: 'f'.repeat(64),
    });
    await tamper(`UPDATE $events SET prev_hash = $2 WHERE stream_id = $1 AND revision = 3`, [
      streamA,
      'e'.repeat(64),
    ]);
    expect((await auditor.verifyAgreement(idA)).firstBreak).toMatchObject({
      kind: 'prev_hash_mismatch',
      revision: 3n,
      found: 'e'.repeat(64),
    });
  });

  it('finds a DELETE in the middle as the missing revision, and changes the digest', async () => {
    await tamper(`DELETE FROM $events WHERE stream_id = $1 AND revision = 3`, [streamA]);
    const verified = await auditor.verifyLog();
    expect(verified.firstBreak).toMatchObject({
      kind: 'missing_revision',
      streamId: streamA,
      revision: 4n,
      expected: '3',
      found: '4',
    });
    expect((await digestAtWrittenDownPosition()).digest).not.toBe(writtenDown.digest);
  });

  it('finds a DELETE of the last event against the stream head and the written-down digest', async () => {
    await tamper(`DELETE FROM $events WHERE stream_id = $1 AND revision = 11`, [streamA]);
    expect((await auditor.verifyLog()).firstBreak).toMatchObject({
      kind: 'stream_head_mismatch',
      streamId: streamA,
      revision: 10n,
    });
    expect((await auditor.verifyAgreement(idA)).firstBreak).toMatchObject({
      kind: 'stream_head_mismatch',
    });
    const digest = await digestAtWrittenDownPosition();
    expect(digest.events).toBe(writtenDown.events - 1);
    expect(digest.digest).not.toBe(writtenDown.digest);
  });

  it('finds an INSERT with a forged hash at its revision', async () => {
    await tamper(
      `INSERT INTO $events (position, stream_id, revision, event_id, type, data, metadata, prev_hash, hash)
       SELECT position + 1, stream_id, 12, gen_random_uuid(), 'AgreementTerminated', data, metadata, hash, $2
         FROM $events WHERE stream_id = $1 AND revision = 11`,
      [streamA, 'a'.repeat(64)],
    );
    expect((await auditor.verifyLog()).firstBreak).toMatchObject({
      kind: 'hash_mismatch',
      revision: 12n,
    });
  });

  it('catches an INSERT with a correctly chained hash below the written-down position by the digest', async () => {
    const { rows } = await client.query<{ hash: string; position: string }>(
      `SELECT hash, position::text AS position FROM "${schema}".events WHERE stream_id = $1 AND revision = 11`,
      [streamA],
    );
    const last = rows[0]!;
    const forged = {
      streamId: streamA,
      revision: 12n,
      type: 'AgreementTerminated',
      data: { party: 'partner', reason: 'forged', terminatedOn: '2024-10-01' },
      metadata: {},
    };
    // A careful forger chains the hash and moves the stream head too: only the digest can tell.
    await tamper(
      `INSERT INTO $events (position, stream_id, revision, event_id, type, data, metadata, prev_hash, hash)
       VALUES ($1, $2, 12, gen_random_uuid(), $3, $4::jsonb, '{}'::jsonb, $5, $6)`,
      [
        (BigInt(last.position) + 1n).toString(),
        streamA,
        forged.type,
        JSON.stringify(forged.data),
        last.hash,
        chainHash(last.hash, forged),
      ],
    );
    await client.query(
      `UPDATE "${schema}".streams SET revision = 12, last_hash = $2 WHERE stream_id = $1`,
      [streamA, chainHash(last.hash, forged)],
    );
    expect((await auditor.verifyLog()).firstBreak).toBeUndefined();
    const digest = await digestAtWrittenDownPosition();
    expect(digest.events).toBe(writtenDown.events + 1);
    expect(digest.digest).not.toBe(writtenDown.digest);
  });

  it('resumes a whole-store verification from a position with its running digest', async () => {
    const halfway = (await auditor.verifyLog({ at: await positionOf(6) })).digest;
    const resumed = await auditor.verifyLog({ resumeFrom: halfway });
    expect(resumed.firstBreak).toBeUndefined();
    expect(resumed.digest).toEqual(writtenDown);
    await tamper(`UPDATE $events SET prev_hash = $2 WHERE stream_id = $1 AND revision = 7`, [
      streamA,
      'e'.repeat(64),
    ]);
    // The first event after the resume point links to one before it: that link is checked too.
    expect((await auditor.verifyLog({ resumeFrom: halfway })).firstBreak).toMatchObject({
      kind: 'prev_hash_mismatch',
      revision: 7n,
    });
  });
});

describe('the in-force projection in PostgreSQL', () => {
  it('answers as the in-memory record does, bitemporally', async () => {
    const schema = randomSchemaName('inforce');
    const eventsSchema = randomSchemaName('events');
    const store = await createPostgresEventStore(client, { schema: eventsSchema });
    try {
      await recordLateSignatureStory(store, idA);
      await recordLateSignatureStory(store, idB);
      await client.exec(`CREATE SCHEMA "${schema}"`);
      await client.transaction((tx) => inForceProjection.setup(tx, schema));
      for await (const event of store.readAll({ filter: inForceProjection.filter! })) {
        await client.transaction((tx) => inForceProjection.apply(tx, event, schema));
      }
      const fromSql = createSqlInForceQuery(client, { schema });
      const inMemory = await inForceRecordFromLog(store.readAll());
      const asked: [string, Date | undefined][] = [
        ['2024-02-10', undefined],
        ['2024-02-10', new Date('2024-02-15T00:00:00Z')],
        ['2024-02-10', new Date('2024-02-20T10:00:00Z')],
        ['2024-07-01', undefined],
        ['2024-10-01', new Date('2024-07-01T00:00:00Z')],
        ['2024-10-01', undefined],
      ];
      for (const [on, knownAt] of asked) {
        expect(await fromSql.partnershipsInForceOn(date(on), knownAt)).toEqual(
          await inMemory.partnershipsInForceOn(date(on), knownAt),
        );
      }
      expect(await fromSql.partnershipsInForceOn(date('2024-02-10'))).toHaveLength(2);
      expect(
        await fromSql.partnershipsInForceOn(date('2024-02-10'), new Date('2024-02-15T00:00:00Z')),
      ).toEqual([]);
    } finally {
      await store.close();
      await client.exec(`DROP SCHEMA "${schema}" CASCADE; DROP SCHEMA "${eventsSchema}" CASCADE`);
    }
  });
});
