import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { IsoDateSchema } from '@twinning/domain';
import type { EventStore } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createProjectionRunner } from '@twinning/projections';
import {
  agreementStatistics,
  agreementsProjection,
  findCity,
  waitForReadModels,
} from '@twinning/read-models';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPartnerships } from './import-partnerships.js';
import { SAMPLE_CSV_PATH, prepareImport, type PreparedImport } from './wikipedia-import.js';

const WIKIPEDIA_CSV = fileURLToPath(
  new URL('../../../../shared/data/twin-cities-wikipedia.csv', import.meta.url),
);
const settings = {
  illustrativeDate: IsoDateSchema.parse('2000-01-01'),
  recordedAt: new Date('2026-01-01T00:00:00Z'),
  correlationId: 'wikipedia-import-test',
};

/**
 * What the file says, counted straight from its rows with no code shared with the importer
 * beyond the identification of each city: distinct partners per city and distinct pairs.
 */
const countFromRows = (prepared: PreparedImport) => {
  const partners = new Map<string, Set<string>>();
  const pairs = new Set<string>();
  for (const { from, to } of prepared.links) {
    const key = [from.cityId, to.cityId].sort().join(' ');
    pairs.add(key);
    for (const [a, b] of [
      [from.cityId, to.cityId],
      [to.cityId, from.cityId],
    ] as const) {
      const set = partners.get(a) ?? new Set<string>();
      set.add(b);
      partners.set(a, set);
    }
  }
  const countryPairs = new Map<string, number>();
  const countryOf = new Map<string, string>();
  for (const { from, to } of prepared.links) {
    countryOf.set(from.cityId, from.country);
    countryOf.set(to.cityId, to.country);
  }
  for (const pair of pairs) {
    const [a = '', b = ''] = pair.split(' ');
    const key = [countryOf.get(a), countryOf.get(b)].sort().join('-');
    countryPairs.set(key, (countryPairs.get(key) ?? 0) + 1);
  }
  return { partners, pairs, countryPairs };
};

let database: TestDatabase;
let sql: SqlClient;
let store: EventStore;

beforeAll(async () => {
  database = await createTestDatabase();
  sql = createPgClient({ connectionString: database.connectionString, max: 10 });
  store = await createPostgresEventStore(sql);
});

afterAll(async () => {
  await store.close();
  await sql.close();
  await database.drop();
});

describe('importing the committed sample', () => {
  it('creates each partnership once, and a second run creates nothing', async () => {
    const prepared = prepareImport(await readFile(SAMPLE_CSV_PATH, 'utf8'));
    const first = await importPartnerships(store, prepared.partnerships, settings);
    expect(first.created).toBe(prepared.partnerships.length);
    expect(first.skipped).toBe(0);
    const again = await importPartnerships(store, prepared.partnerships, settings);
    expect(again).toMatchObject({ created: 0, skipped: prepared.partnerships.length });
  });
});

describe.skipIf(!existsSync(WIKIPEDIA_CSV))('importing the whole Wikipedia list', () => {
  it('loads every link through the domain, and the read models agree with the file', async () => {
    const prepared = prepareImport(await readFile(WIKIPEDIA_CSV, 'utf8'));
    expect(prepared.rows).toBe(26_114);
    const expected = countFromRows(prepared);
    expect(prepared.partnerships).toHaveLength(expected.pairs.size);

    const importStart = Date.now();
    // After the sample run above, its partnerships are skipped and the rest created.
    const report = await importPartnerships(store, prepared.partnerships, {
      ...settings,
      concurrency: 8,
    });
    expect(report.created + report.skipped).toBe(expected.pairs.size);
    const importSeconds = (Date.now() - importStart) / 1000;

    const projectionStart = Date.now();
    const runner = createProjectionRunner({
      store,
      sql,
      projections: [agreementsProjection],
      batchSize: 2000,
    });
    await runner.start();
    try {
      const caughtUp = await waitForReadModels(sql, {
        minPosition: report.lastPosition ?? 0n,
        projectionNames: [agreementsProjection.name],
        timeoutMs: 900_000,
        pollIntervalMs: 500,
      });
      expect(caughtUp.reached).toBe(true);
    } finally {
      await runner.stop();
    }
    // A long test says where its time went.
    console.info(
      `${expected.pairs.size} agreements: imported in ${importSeconds.toFixed(0)} s, projected in ${((Date.now() - projectionStart) / 1000).toFixed(0)} s`,
    );

    const statistics = await agreementStatistics(sql, { countryPairLimit: 100_000 });
    expect(statistics.total).toBe(expected.pairs.size);
    expect(statistics.byState).toEqual({ active: expected.pairs.size });
    expect(statistics.byKind).toEqual({ sister_city: expected.pairs.size });
    expect(statistics.activatedPerYear).toEqual([{ year: 2000, count: expected.pairs.size }]);
    for (const pair of ['DE-FR', 'DE-PL', 'FR-GB', 'GB-US', 'CN-JP']) {
      const [a, b] = pair.split('-');
      const counted = statistics.byCountryPair.find(
        (row) => row.countries[0] === a && row.countries[1] === b,
      );
      expect(counted?.count, pair).toBe(expected.countryPairs.get(pair));
    }

    for (const cityId of [
      'gb-coventry',
      'de-kiel',
      'ru-volgograd',
      'fr-saint-etienne',
      'cn-jinan',
      'bg-varna',
    ]) {
      const city = await findCity(sql, cityId);
      const partners = expected.partners.get(cityId);
      expect(partners, cityId).toBeDefined();
      expect(city?.partnerships.map((p) => p.partner.cityId).sort(), cityId).toEqual(
        [...(partners ?? [])].sort(),
      );
      expect(city?.partnerships.every((p) => p.state === 'active')).toBe(true);
    }
    // Coventry's partners counted by hand in the file: 19 cities and the three Coventrys of the United States.
    expect((await findCity(sql, 'gb-coventry'))?.partnerships).toHaveLength(22);
  }, 1_200_000);
});
