import { randomUUID } from 'node:crypto';
import { executeAgreementCommand, readAgreementEvents } from '@twinning/agreements';
import { AgreementIdSchema, type AgreementId, type CityId } from '@twinning/domain';
import { coventry, date, kiel, storyOf, terms } from '@twinning/domain/testing';
import type { EventStore } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProjector, type ProjectorHandle } from '../start-projector.js';
import { waitUntil } from '../testing/child-projector.js';
import { EXPIRY_REACTOR_ACTOR, createExpiryReactor } from './expiry-reactor.js';

/** A clock the test moves by hand. */
const fakeClock = (iso: string) => {
  let current = new Date(iso);
  return { now: () => current, set: (next: string) => void (current = new Date(next)) };
};

const fixedTerm = terms({
  kind: 'cooperation',
  startDate: date('2020-01-01'),
  endDate: date('2022-12-31'),
});

describe('expiry reactor', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let sql: SqlClient;
  let store: EventStore;
  const projectors: ProjectorHandle[] = [];
  const clients: SqlClient[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    sql = createPgClient({ connectionString: database.connectionString });
    store = await createPostgresEventStore(sql);
  });

  afterEach(async () => {
    for (const projector of projectors.splice(0)) await projector.stop();
    for (const client of clients.splice(0)) await client.close();
    await store.close();
    await sql.close();
    await database.drop();
  });

  /** Drives a Coventry–Kiel cooperation to `active`, ending on 2022-12-31. */
  const activeFixedTermAgreement = async (): Promise<AgreementId> => {
    const story = storyOf({
      id: AgreementIdSchema.parse(randomUUID()),
      proposer: coventry,
      partner: kiel,
      terms: fixedTerm,
    });
    const dependencies = {
      store,
      now: () => new Date('2020-01-02T09:00:00Z'),
      citiesWithClerks: (cityIds: readonly CityId[]) => Promise.resolve(cityIds),
    };
    for (const command of [
      story.propose('2019-01-10'),
      story.accept('proposer', '2019-02-01'),
      story.accept('partner', '2019-02-03'),
      story.approve('proposer', '2019-03-01'),
      story.sign('proposer', '2019-04-01'),
      story.sign('partner', '2019-04-20'),
      story.activate('proposer', '2020-01-01'),
    ]) {
      const result = await executeAgreementCommand(dependencies, {
        agreementId: story.id,
        command,
        correlationId: randomUUID(),
        causationId: randomUUID(),
      });
      if (!result.ok) throw new Error(`${command.type} failed: ${JSON.stringify(result.error)}`);
    }
    return story.id;
  };

  const expiriesOf = async (agreementId: AgreementId) =>
    (await readAgreementEvents(store, agreementId)).filter(
      (stored) => stored.event.type === 'AgreementExpired',
    );

  const startWith = async (now: () => Date, client = sql): Promise<ProjectorHandle> => {
    const projector = await startProjector({
      store: client === sql ? store : await createPostgresEventStore(client),
      sql: client,
      projections: [],
      reactors: [createExpiryReactor({ store, now, intervalMs: 50 })],
      now,
      lockRetryMs: 200,
      pollMs: 100,
    });
    projectors.push(projector);
    return projector;
  };

  const scheduleIsLive = (projector: ProjectorHandle) =>
    projector
      .status()
      .some(
        (projection) =>
          projection.role === 'active' &&
          projection.builds.some((build) => build.serving && build.phase === 'live'),
      );

  it('expires a fixed-term agreement once its end date is reached, and only once', async () => {
    const agreementId = await activeFixedTermAgreement();
    const clock = fakeClock('2022-12-30T23:00:00Z');
    const projector = await startWith(clock.now);
    await waitUntil(() => scheduleIsLive(projector), 'the schedule to catch up');
    const due = await sql.query<{ end_date: string; in_force: boolean }>(
      'SELECT end_date::text AS end_date, in_force FROM read.agreement_expiry_schedule',
    );
    expect(due.rows).toEqual([{ end_date: '2022-12-31', in_force: true }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await expiriesOf(agreementId)).toEqual([]);

    clock.set('2022-12-31T08:00:00Z');
    const [expired] = await waitUntil(async () => {
      const found = await expiriesOf(agreementId);
      return found.length > 0 ? found : undefined;
    }, 'the expiry');
    expect(expired?.event).toEqual({
      type: 'AgreementExpired',
      schemaVersion: 1,
      data: { endDate: '2022-12-31', expiredOn: '2022-12-31' },
    });
    expect(expired?.metadata).toMatchObject({
      actor: EXPIRY_REACTOR_ACTOR,
      commandType: 'ExpireAgreement',
      idempotencyKey: `expire:${agreementId}:2022-12-31`,
    });

    clock.set('2023-01-05T08:00:00Z');
    await waitUntil(
      async () => (await sql.query('SELECT 1 FROM read.agreement_expiry_schedule')).rowCount === 0,
      'the agreement to leave the schedule',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await expiriesOf(agreementId)).toHaveLength(1);
  });

  it('appends one expiry when two reactors run at once on the same schedule', async () => {
    const agreementId = await activeFixedTermAgreement();
    const before = fakeClock('2022-06-01T00:00:00Z');
    const projector = await startWith(before.now);
    await waitUntil(() => scheduleIsLive(projector), 'the schedule to catch up');
    await projector.stop();
    projectors.splice(0);

    const due = () => new Date('2023-02-01T00:00:00Z');
    const reactors = [
      createExpiryReactor({ store, now: due }),
      createExpiryReactor({ store, now: due }),
    ];
    const signal = new AbortController().signal;
    const react = () =>
      Promise.all(
        reactors.map((reactor) => reactor.react({ sql, schema: 'rm_expiry_schedule_v1', signal })),
      );
    await react();
    await react();
    const expiries = await expiriesOf(agreementId);
    expect(expiries).toHaveLength(1);
    expect(expiries[0]?.event.data).toEqual({ endDate: '2022-12-31', expiredOn: '2023-02-01' });
  });

  it('expires each agreement once when two projector processes host the reactor', async () => {
    const agreements = [await activeFixedTermAgreement(), await activeFixedTermAgreement()];
    const due = () => new Date('2023-01-02T00:00:00Z');
    const other = createPgClient({ connectionString: database.connectionString });
    clients.push(other);
    const [first, second] = [await startWith(due), await startWith(due, other)];
    for (const agreementId of agreements) {
      await waitUntil(
        async () => (await expiriesOf(agreementId)).length > 0,
        `the expiry of ${agreementId}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const agreementId of agreements) expect(await expiriesOf(agreementId)).toHaveLength(1);
    const roles = [first, second].map((projector) => projector?.status()[0]?.role).sort();
    expect(roles).toEqual(['active', 'standby']);
  });
});
