import { executeAgreementCommand, type CommandDependencies } from '@twinning/agreements';
import { toAgreementStreamId, type AgreementId, type Command } from '@twinning/domain';
import {
  agreementId,
  date,
  city,
  coventry,
  dresden,
  kiel,
  stalingrad,
  storyOf,
  terms,
} from '@twinning/domain/testing';
import type { EventStore } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createProjectionRunner, projectionSchemaOf } from '@twinning/projections';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementsProjection } from './agreements-projection.js';
import { listAgreements, type AgreementListRequest } from './agreement-list-query.js';
import { municipalityActivity } from './activity-query.js';
import { cityNetwork, findCity } from './city-queries.js';
import { InvalidCursorError } from './cursor.js';
import { expiringAgreements, pendingSignatures } from './due-queries.js';
import { readModelPosition, waitForReadModels } from './read-position.js';
import { agreementStatistics } from './statistics-query.js';

const saintEtienne = city('fr-saint-etienne', 'Saint-Étienne', 'FR', false);
const toledoOhio = city('us-toledo-oh', 'Toledo', 'US', false);
const toledoSpain = city('es-toledo', 'Toledo', 'ES', false);

const ids = {
  stalingrad: agreementId('11111111-1111-4111-8111-111111111111'),
  kiel: agreementId('22222222-2222-4222-8222-222222222222'),
  dresden: agreementId('33333333-3333-4333-8333-333333333333'),
  kielDresden: agreementId('44444444-4444-4444-8444-444444444444'),
  toledo: agreementId('55555555-5555-4555-8555-555555555555'),
  saintEtienne: agreementId('66666666-6666-4666-8666-666666666666'),
};

let database: TestDatabase;
let sql: SqlClient;
let store: EventStore;
let lastPosition = 0n;
let positionBeforeRunner: bigint | undefined = 0n;
let caughtUp: Awaited<ReturnType<typeof waitForReadModels>> | undefined;

const run = async (commands: readonly Command[]): Promise<void> => {
  const dependencies: CommandDependencies = {
    store,
    now: () => new Date('2024-03-01T10:00:00Z'),
    citiesWithClerks: (cityIds) => Promise.resolve(cityIds),
  };
  for (const command of commands) {
    const result = await executeAgreementCommand(dependencies, {
      agreementId: command.agreementId,
      command,
      correlationId: 'read-models-test',
      causationId: 'read-models-test',
    });
    if (!result.ok) throw new Error(`${command.type}: ${JSON.stringify(result.error)}`);
    lastPosition = result.value.position;
  }
};

/** Real history where there is some (design.md), invented dates where there is none. */
const writeHistory = async (): Promise<void> => {
  const stalingradStory = storyOf({
    id: ids.stalingrad,
    proposer: coventry,
    partner: stalingrad,
    terms: terms({
      title: 'Coventry and Stalingrad: the first twinning',
      startDate: date('1944-01-01'),
    }),
  });
  await run([
    stalingradStory.propose('1944-01-10'),
    stalingradStory.accept('proposer', '1944-02-01'),
    stalingradStory.accept('partner', '1944-02-03'),
    stalingradStory.approve('proposer', '1944-02-10'),
    stalingradStory.sign('proposer', '1944-03-01'),
    stalingradStory.sign('partner', '1944-03-05'),
    stalingradStory.activate('proposer', '1944-03-10'),
    stalingradStory.suspend('proposer', '2022-04-05', { reason: 'war in Ukraine' }),
  ]);

  const kielStory = storyOf({
    id: ids.kiel,
    proposer: coventry,
    partner: kiel,
    terms: terms({ title: 'Coventry and Kiel', startDate: date('1947-01-01') }),
  });
  await run([
    kielStory.propose('1946-11-01'),
    kielStory.accept('proposer', '1946-12-01'),
    kielStory.accept('partner', '1946-12-02'),
    kielStory.approve('proposer', '1946-12-10'),
    kielStory.sign('proposer', '1947-01-05'),
    kielStory.sign('partner', '1947-01-06'),
    kielStory.activate('partner', '1947-01-10'),
  ]);

  const dresdenStory = storyOf({
    id: ids.dresden,
    proposer: coventry,
    partner: dresden,
    terms: terms({ title: 'Coventry and Dresden', startDate: date('1956-01-01') }),
  });
  await run([
    dresdenStory.propose('1955-10-01'),
    dresdenStory.accept('proposer', '1955-10-10'),
    dresdenStory.accept('partner', '1955-10-12'),
    dresdenStory.approve('proposer', '1955-11-01'),
    dresdenStory.sign('proposer', '1955-11-02'),
  ]);

  const kielDresdenStory = storyOf({
    id: ids.kielDresden,
    proposer: kiel,
    partner: dresden,
    terms: terms({
      title: 'Kiel and Dresden harbour cooperation',
      kind: 'cooperation',
      startDate: date('2025-07-01'),
      endDate: date('2030-06-30'),
    }),
  });
  await run([
    kielDresdenStory.propose('2025-01-15'),
    kielDresdenStory.accept('proposer', '2025-02-01'),
    kielDresdenStory.accept('partner', '2025-02-02'),
    kielDresdenStory.approve('partner', '2025-03-01'),
    kielDresdenStory.sign('proposer', '2025-04-01'),
    kielDresdenStory.sign('partner', '2025-04-02'),
    kielDresdenStory.activate('proposer', '2025-07-01'),
  ]);

  const toledoStory = storyOf({
    id: ids.toledo,
    proposer: toledoOhio,
    partner: toledoSpain,
    terms: terms({ title: 'Toledo and Toledo, twinned by name', kind: 'friendship_city' }),
  });
  await run([toledoStory.propose('1930-05-01')]);

  const saintEtienneStory = storyOf({
    id: ids.saintEtienne,
    proposer: saintEtienne,
    partner: kiel,
    terms: terms({ title: 'Jumelage Saint-Étienne – Kiel' }),
  });
  await run([saintEtienneStory.propose('2019-06-01'), saintEtienneStory.withdraw('2019-09-01')]);
};

beforeAll(async () => {
  database = await createTestDatabase();
  sql = createPgClient({ connectionString: database.connectionString, max: 4 });
  store = await createPostgresEventStore(sql);
  // Before any runner has started: no checkpoint, so no position to read at.
  positionBeforeRunner = await readModelPosition(sql, ['agreements']);
  await writeHistory();
  const runner = createProjectionRunner({ store, sql, projections: [agreementsProjection] });
  await runner.start();
  try {
    caughtUp = await waitForReadModels(sql, {
      minPosition: lastPosition,
      projectionNames: ['agreements'],
      timeoutMs: 60_000,
    });
  } finally {
    await runner.stop();
  }
});

afterAll(async () => {
  await store.close();
  await sql.close();
  await database.drop();
});

const everything = { kind: 'everything' } as const;
const listAll = (overrides: Partial<AgreementListRequest> = {}) =>
  listAgreements(sql, {
    scope: everything,
    sort: { field: 'last_change', direction: 'desc' },
    limit: 50,
    ...overrides,
  });
const idsOf = (items: readonly { agreementId: AgreementId }[]) =>
  items.map((item) => item.agreementId);

describe('the agreements list', () => {
  it('shows every agreement with its parties, state, dates and last position', async () => {
    const { items, nextCursor } = await listAll();
    expect(items).toHaveLength(6);
    expect(nextCursor).toBeNull();
    const first = items.find((item) => item.agreementId === ids.stalingrad);
    expect(first).toMatchObject({
      title: 'Coventry and Stalingrad: the first twinning',
      kind: 'sister_city',
      state: 'suspended',
      proposer: { cityId: 'gb-coventry', name: 'Coventry', country: 'GB' },
      partner: { cityId: 'ru-volgograd', name: 'Stalingrad', country: 'RU' },
      dates: {
        proposedOn: '1944-01-10',
        signedOn: '1944-03-05',
        activatedOn: '1944-03-10',
        suspendedOn: '2022-04-05',
        endDate: null,
      },
      termsVersion: 1,
      lastEventType: 'AgreementSuspended',
      lastChangedOn: '2022-04-05',
    });
    // The newest change first: the withdrawn proposal was written last.
    expect(items[0]?.agreementId).toBe(ids.saintEtienne);
    expect(items[0]?.lastPosition).toBe(lastPosition.toString());
  });

  it('pages through a sort with opaque cursors, each agreement exactly once', async () => {
    for (const field of ['title', 'proposed', 'last_change', 'city'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const seen: AgreementId[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await listAll({
            sort: { field, direction },
            limit: 4,
            ...(cursor === undefined ? {} : { cursor }),
          });
          seen.push(...idsOf(page.items));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor !== undefined);
        expect(pages).toBe(2);
        const whole = idsOf((await listAll({ sort: { field, direction } })).items);
        expect(seen).toEqual(whole);
      }
    }
  });

  it('sorts by title and by proposal date', async () => {
    const byTitle = await listAll({ sort: { field: 'title', direction: 'asc' } });
    const titles = byTitle.items.map((item) => item.title.toLowerCase());
    expect(titles).toEqual([...titles].sort());
    const byProposal = await listAll({ sort: { field: 'proposed', direction: 'asc' } });
    expect(byProposal.items.map((item) => item.dates.proposedOn)).toEqual([
      '1930-05-01',
      '1944-01-10',
      '1946-11-01',
      '1955-10-01',
      '2019-06-01',
      '2025-01-15',
    ]);
  });

  it('filters by state, kind, city, country and date ranges', async () => {
    expect(idsOf((await listAll({ states: ['active'] })).items).sort()).toEqual(
      [ids.kiel, ids.kielDresden].sort(),
    );
    expect(idsOf((await listAll({ kinds: ['friendship_city'] })).items)).toEqual([ids.toledo]);
    expect(idsOf((await listAll({ cityId: 'de-dresden' })).items).sort()).toEqual(
      [ids.dresden, ids.kielDresden].sort(),
    );
    expect(idsOf((await listAll({ country: 'ES' })).items)).toEqual([ids.toledo]);
    expect(
      idsOf((await listAll({ proposed: { from: '1944-01-01', to: '1950-12-31' } })).items).sort(),
    ).toEqual([ids.stalingrad, ids.kiel].sort());
    expect(idsOf((await listAll({ signed: { from: '2000-01-01' } })).items)).toEqual([
      ids.kielDresden,
    ]);
    expect(idsOf((await listAll({ activated: { to: '1945-01-01' } })).items)).toEqual([
      ids.stalingrad,
    ]);
  });

  it('searches titles and city names by word prefix, ignoring case and accents', async () => {
    expect(idsOf((await listAll({ text: 'etienne' })).items)).toEqual([ids.saintEtienne]);
    expect(idsOf((await listAll({ text: 'SAINT-ÉTIENNE' })).items)).toEqual([ids.saintEtienne]);
    expect(idsOf((await listAll({ text: 'stalin' })).items)).toEqual([ids.stalingrad]);
    expect(idsOf((await listAll({ text: 'kiel cov' })).items)).toEqual([ids.kiel]);
    expect((await listAll({ text: 'toledo' })).items).toHaveLength(1);
    expect((await listAll({ text: 'lyon' })).items).toHaveLength(0);
    expect((await listAll({ text: '&!|' })).items).toHaveLength(0);
  });

  it("shows a clerk only their municipality's agreements", async () => {
    const { items } = await listAll({ scope: { kind: 'municipality', cityId: 'de-kiel' } });
    expect(idsOf(items).sort()).toEqual([ids.kiel, ids.kielDresden, ids.saintEtienne].sort());
  });

  it('refuses a cursor from another sort or one that was tampered with', async () => {
    const page = await listAll({ sort: { field: 'title', direction: 'asc' }, limit: 2 });
    const cursor = page.nextCursor ?? '';
    await expect(
      listAll({ sort: { field: 'title', direction: 'desc' }, cursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(listAll({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    const forged = Buffer.from(
      JSON.stringify({ sort: '-last_change', key: '1; DROP TABLE x', id: ids.kiel }),
    ).toString('base64url');
    await expect(listAll({ cursor: forged })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('cities', () => {
  it('lists a city with each partner and the state of each partnership', async () => {
    const page = await findCity(sql, 'gb-coventry');
    expect(page?.city).toEqual({ cityId: 'gb-coventry', name: 'Coventry', country: 'GB' });
    expect(page?.partnerships.map((p) => [p.partner.name, p.state, p.role, p.activatedOn])).toEqual(
      [
        ['Dresden', 'partially_signed', 'proposer', null],
        ['Kiel', 'active', 'proposer', '1947-01-10'],
        ['Stalingrad', 'suspended', 'proposer', '1944-03-10'],
      ],
    );
    expect(await findCity(sql, 'xx-nowhere')).toBeUndefined();
  });

  it('walks the partnership network to the chosen depth, through partnerships only', async () => {
    const nodesAt = async (depth: number) => {
      const network = await cityNetwork(sql, { cityId: 'ru-volgograd', depth, maxNodes: 100 });
      return network?.nodes.map((node) => [node.cityId, node.depth]);
    };
    expect(await nodesAt(0)).toEqual([['ru-volgograd', 0]]);
    expect(await nodesAt(1)).toEqual([
      ['ru-volgograd', 0],
      ['gb-coventry', 1],
    ]);
    // Coventry–Dresden is not signed yet: Dresden is only reached through Kiel.
    expect(await nodesAt(3)).toEqual([
      ['ru-volgograd', 0],
      ['gb-coventry', 1],
      ['de-kiel', 2],
      ['de-dresden', 3],
    ]);
    const network = await cityNetwork(sql, { cityId: 'de-kiel', depth: 4, maxNodes: 100 });
    expect(network?.edges.map((edge) => edge.agreementId).sort()).toEqual(
      [ids.kiel, ids.kielDresden, ids.stalingrad].sort(),
    );
    expect(
      await cityNetwork(sql, { cityId: 'xx-nowhere', depth: 2, maxNodes: 10 }),
    ).toBeUndefined();
  });

  it('keeps the nearest cities when the network is larger than asked for', async () => {
    const network = await cityNetwork(sql, { cityId: 'de-kiel', depth: 4, maxNodes: 2 });
    expect(network?.nodes.map((node) => node.depth)).toEqual([0, 1]);
    expect(network?.truncated).toBe(true);
  });
});

describe('activity feed', () => {
  it("shows events on the municipality's agreements, newest first, with actor and business date", async () => {
    const first = await municipalityActivity(sql, { cityId: 'de-dresden', limit: 3 });
    expect(first.items.map((item) => item.eventType)).toEqual([
      'AgreementActivated',
      'AgreementSigned',
      'SignatureRecorded',
    ]);
    expect(first.items[0]).toMatchObject({
      agreementId: ids.kielDresden,
      party: 'partner',
      partner: { cityId: 'de-kiel', name: 'Kiel' },
      stateAfter: 'active',
      businessDate: '2025-07-01',
      actor: { role: 'clerk', municipality: 'de-kiel' },
    });
    const positions: bigint[] = [];
    let cursor: string | undefined;
    do {
      const page = await municipalityActivity(sql, {
        cityId: 'de-dresden',
        limit: 3,
        ...(cursor === undefined ? {} : { cursor }),
      });
      positions.push(...page.items.map((item) => BigInt(item.position)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    // Dresden: 6 events with Coventry (the second acceptance also agrees the terms), 9 with Kiel.
    expect(positions).toHaveLength(15);
    expect([...positions].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(positions);
  });

  it('merges the events where the city proposed with those where it was the partner, page by page', async () => {
    const seen: { position: string; agreementId: string; party: string; partner: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await municipalityActivity(sql, {
        cityId: kiel.cityId,
        limit: 2,
        ...(cursor === undefined ? {} : { cursor }),
      });
      seen.push(
        ...page.items.map((item) => ({
          position: item.position,
          agreementId: item.agreementId,
          party: item.party,
          partner: item.partner.cityId,
        })),
      );
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    // Kiel is the partner of Coventry's and Saint-Étienne's agreements, and the proposer of the
    // one with Dresden.
    const expected: typeof seen = [];
    for (const [id, party, partner] of [
      [ids.kiel, 'partner', coventry.cityId],
      [ids.kielDresden, 'proposer', dresden.cityId],
      [ids.saintEtienne, 'partner', saintEtienne.cityId],
    ] as const) {
      for await (const event of store.readStream(toAgreementStreamId(id))) {
        expected.push({ position: event.position.toString(), agreementId: id, party, partner });
      }
    }
    expected.sort((a, b) => Number(BigInt(b.position) - BigInt(a.position)));
    expect(seen).toEqual(expected);
  });

  it('is read from the version 1 table while version 2 is being built after an upgrade', async () => {
    const upgrading = await createTestDatabase();
    const old = createPgClient({ connectionString: upgrading.connectionString, max: 1 });
    try {
      // Version 1 as it served: one row per event and party city.
      await old.exec(`
        CREATE SCHEMA read;
        CREATE TABLE read.municipality_activity (
          city_id text, position bigint, agreement_id uuid, revision bigint, event_type text,
          party text, partner_city_id text, partner_name text, title text, state_after text,
          actor jsonb, business_date date, recorded_at timestamptz);
        INSERT INTO read.municipality_activity VALUES
          ('de-kiel', 7, '${ids.kiel}', 1, 'TermsAccepted', 'partner', 'gb-coventry', 'Coventry',
           'Coventry and Kiel', 'proposed', '{"role":"clerk","municipality":"de-kiel"}',
           '1946-12-02', '2024-03-01T10:00:00Z'),
          ('gb-coventry', 7, '${ids.kiel}', 1, 'TermsAccepted', 'proposer', 'de-kiel', 'Kiel',
           'Coventry and Kiel', 'proposed', '{"role":"clerk","municipality":"de-kiel"}',
           '1946-12-02', '2024-03-01T10:00:00Z');
      `);
      const page = await municipalityActivity(old, { cityId: kiel.cityId, limit: 5 });
      expect(page.items).toEqual([
        {
          position: '7',
          agreementId: ids.kiel,
          revision: '1',
          eventType: 'TermsAccepted',
          title: 'Coventry and Kiel',
          party: 'partner',
          partner: { cityId: 'gb-coventry', name: 'Coventry' },
          stateAfter: 'proposed',
          actor: { role: 'clerk', municipality: 'de-kiel' },
          businessDate: '1946-12-02',
          recordedAt: '2024-03-01T10:00:00.000Z',
        },
      ]);
    } finally {
      await old.close();
      await upgrading.drop();
    }
  });
});

describe('agreements due', () => {
  it('names who still has to approve or sign', async () => {
    const pending = await pendingSignatures(sql, { scope: everything, limit: 10 });
    expect(pending).toHaveLength(1);
    expect(pending[0]?.agreement.agreementId).toBe(ids.dresden);
    expect(pending[0]?.outstanding).toEqual([
      { party: 'partner', cityId: 'de-dresden', name: 'Dresden', act: 'council_approval' },
      { party: 'partner', cityId: 'de-dresden', name: 'Dresden', act: 'signature' },
    ]);
    const forKiel = await pendingSignatures(sql, {
      scope: { kind: 'municipality', cityId: 'de-kiel' },
      limit: 10,
    });
    expect(forKiel).toEqual([]);
  });

  it('finds fixed-term agreements ending within the window', async () => {
    const soon = await expiringAgreements(sql, {
      scope: everything,
      on: '2030-06-10',
      withinDays: 30,
      limit: 10,
    });
    expect(soon.map((due) => [due.agreement.agreementId, due.endDate, due.daysLeft])).toEqual([
      [ids.kielDresden, '2030-06-30', 20],
    ]);
    expect(
      await expiringAgreements(sql, {
        scope: everything,
        on: '2030-05-01',
        withinDays: 30,
        limit: 10,
      }),
    ).toEqual([]);
  });
});

describe('statistics', () => {
  it('counts by state, kind, country pair and activation year', async () => {
    const statistics = await agreementStatistics(sql, { countryPairLimit: 10 });
    expect(statistics.total).toBe(6);
    expect(statistics.byState).toEqual({
      active: 2,
      partially_signed: 1,
      proposed: 1,
      suspended: 1,
      withdrawn: 1,
    });
    expect(statistics.byKind).toEqual({ cooperation: 1, friendship_city: 1, sister_city: 4 });
    expect(statistics.byCountryPair).toEqual([
      { countries: ['DE', 'GB'], count: 2 },
      { countries: ['DE', 'DE'], count: 1 },
      { countries: ['DE', 'FR'], count: 1 },
      { countries: ['ES', 'US'], count: 1 },
      { countries: ['GB', 'RU'], count: 1 },
    ]);
    expect(statistics.activatedPerYear).toEqual([
      { year: 1944, count: 1 },
      { year: 1947, count: 1 },
      { year: 2025, count: 1 },
    ]);
  });
});

describe('projection', () => {
  it('ignores an event delivered again', async () => {
    const before = await listAll();
    const activityBefore = await sql.query(
      'SELECT count(*)::int AS n FROM read.agreement_activity',
    );
    const schema = projectionSchemaOf(agreementsProjection);
    await sql.transaction(async (tx) => {
      for await (const event of store.readAll({ filter: agreementsProjection.filter ?? {} })) {
        await agreementsProjection.apply(tx, event, schema);
      }
    });
    expect(await listAll()).toEqual(before);
    expect(
      (await sql.query('SELECT count(*)::int AS n FROM read.agreement_activity')).rows,
    ).toEqual(activityBefore.rows);
  });
});

describe('reading your own writes', () => {
  it('has no position before the runner has run, and waits until it reaches the last write', async () => {
    expect(positionBeforeRunner).toBeUndefined();
    expect(caughtUp).toEqual({ reached: true, position: lastPosition });
    expect(await readModelPosition(sql, ['agreements'])).toBe(lastPosition);
  });

  it('gives up after the time allowed when a position is not reached', async () => {
    const started = Date.now();
    const wait = await waitForReadModels(sql, {
      minPosition: lastPosition + 1n,
      projectionNames: ['agreements'],
      timeoutMs: 150,
      pollIntervalMs: 20,
    });
    expect(wait).toEqual({ reached: false, position: lastPosition });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
