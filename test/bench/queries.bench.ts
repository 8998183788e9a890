/**
 * Query benchmarks over the agreements read model (issue: read models and their query API).
 *
 *   pnpm bench:queries
 *   BENCH_AGREEMENTS=100000 BENCH_RUNS=300 pnpm bench:queries
 *
 * Fills `read.agreements` on the local PostgreSQL with synthetic but realistic agreements (cities
 * clustered by country, most partnerships within Europe, a lifecycle mix weighted to active ones),
 * written straight into the read model, then times each query the API runs. Percentiles are
 * over `BENCH_RUNS` runs after a warm-up, one query at a time.
 */
import {
  LIFECYCLE_STATES,
  type AgreementId,
  type AgreementKind,
  type CityId,
  type IsoDate,
  type LifecycleState,
} from '@twinning/domain';
import {
  agreementStatistics,
  cityNetwork,
  findCity,
  listAgreements,
  type AgreementListRequest,
  type AgreementSummary,
} from '@twinning/read-models';
import { createAgreementsReadModel, writeAgreementSummaries } from '@twinning/read-models/testing';
import { createPgClient } from '@twinning/sql';
import { createTestDatabase } from '@twinning/sql/testing';
import { machineLine, percentile, printTable, seconds } from './support/bench-report.js';

const agreementCount = Number(process.env['BENCH_AGREEMENTS'] ?? '100000');
const runs = Number(process.env['BENCH_RUNS'] ?? '200');

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same data. */
const random = (() => {
  let seed = 20_260_101;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
})();
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const COUNTRIES = [
  'DE',
  'FR',
  'PL',
  'IT',
  'HU',
  'CZ',
  'GB',
  'US',
  'CN',
  'JP',
  'UA',
  'RU',
  'RO',
  'ES',
  'SK',
  'TR',
  'PT',
  'AT',
  'BE',
  'SE',
];
const SYLLABLES = [
  'ber',
  'lin',
  'ko',
  'vent',
  'ry',
  'dres',
  'den',
  'kiel',
  'sa',
  'int',
  'é',
  'ti',
  'enne',
  'wro',
  'cław',
  'pé',
  'cs',
  'gra',
  'no',
  'ville',
  'burg',
  'stadt',
  'mont',
  'ri',
  'o',
  'la',
  'san',
  'to',
  'ma',
  'ka',
];
const cityName = (): string => {
  const parts = 2 + Math.floor(random() * 2);
  const name = Array.from({ length: parts }, () => pick(SYLLABLES)).join('');
  return name.charAt(0).toUpperCase() + name.slice(1);
};

interface City {
  readonly cityId: CityId;
  readonly name: string;
  readonly country: string;
}

const makeCities = (count: number): City[] => {
  const cities = new Map<string, City>();
  while (cities.size < count) {
    // Earlier countries hold more cities, as in the Wikipedia list (Germany, France, Poland …).
    const country = COUNTRIES[Math.floor(COUNTRIES.length * random() ** 2)] ?? 'DE';
    const name = cityName();
    const cityId = `${country.toLowerCase()}-${name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')}` as CityId;
    if (!cities.has(cityId)) cities.set(cityId, { cityId, name, country });
  }
  return [...cities.values()];
};

const isoDate = (year: number, dayOfYear: number): IsoDate =>
  new Date(Date.UTC(year, 0, 1 + dayOfYear)).toISOString().slice(0, 10) as IsoDate;

const STATE_WEIGHTS: readonly (readonly [LifecycleState, number])[] = [
  ['active', 60],
  ['suspended', 4],
  ['proposed', 8],
  ['negotiated', 4],
  ['partially_signed', 3],
  ['signed', 2],
  ['withdrawn', 5],
  ['declined', 4],
  ['expired', 6],
  ['terminated', 4],
];
const weightedState = (): LifecycleState => {
  let roll = random() * STATE_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [state, weight] of STATE_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return state;
  }
  return 'active';
};

const uuidOf = (index: number): AgreementId =>
  `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}` as AgreementId;

const makeSummaries = (cities: readonly City[]): AgreementSummary[] =>
  Array.from({ length: agreementCount }, (_, index) => {
    const proposer = pick(cities);
    let partner = pick(cities);
    while (partner.cityId === proposer.cityId) partner = pick(cities);
    const state = weightedState();
    const kind: AgreementKind = pick([
      'sister_city',
      'sister_city',
      'friendship_city',
      'cooperation',
    ]);
    const year = 1950 + Math.floor(random() * 76);
    const proposedOn = isoDate(year, Math.floor(random() * 300));
    const reached = LIFECYCLE_STATES.indexOf(state);
    const signed = ['signed', 'active', 'suspended', 'expired', 'terminated'].includes(state);
    const activated = ['active', 'suspended', 'expired', 'terminated'].includes(state);
    const ended = ['withdrawn', 'declined', 'expired', 'terminated'].includes(state);
    const startDate = isoDate(year + 1, 0);
    const endDate =
      kind === 'cooperation' ? isoDate(year + 1 + Math.floor(random() * 8), 180) : null;
    const party = (city: City, done: boolean) => ({
      ...city,
      councilApprovalRequired: random() < 0.5,
      accepted: reached >= 1,
      councilApproved: done,
      signed: done,
    });
    return {
      agreementId: uuidOf(index),
      title: `Twinning of ${proposer.name} and ${partner.name}`,
      kind,
      state,
      proposer: party(proposer, signed || state === 'partially_signed'),
      partner: party(partner, signed),
      termsVersion: 1 + Math.floor(random() * 2),
      startDate,
      endDate,
      proposedOn,
      agreedOn: reached >= 1 && reached <= 5 ? proposedOn : null,
      signedOn: signed ? startDate : null,
      activatedOn: activated ? startDate : null,
      suspendedOn: state === 'suspended' ? isoDate(2022, 90) : null,
      endedOn: ended ? isoDate(year + 2, 10) : null,
      lastChangedOn: proposedOn,
      lastEventType: 'AgreementProposed',
      lastPosition: BigInt(index + 1) << 20n,
      lastRevision: 7n,
    } satisfies AgreementSummary;
  });

const timeQuery = async (run: () => Promise<unknown>): Promise<number[]> => {
  for (let warmUp = 0; warmUp < 10; warmUp += 1) await run();
  const durations: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const start = process.hrtime.bigint();
    await run();
    durations.push(seconds(start) * 1000);
  }
  return durations.sort((a, b) => a - b);
};

const main = async (): Promise<void> => {
  const database = await createTestDatabase();
  const sql = createPgClient({ connectionString: database.connectionString, max: 2 });
  try {
    const cities = makeCities(Math.max(50, Math.round(agreementCount / 12)));
    const summaries = makeSummaries(cities);
    const loadStart = process.hrtime.bigint();
    const schema = await createAgreementsReadModel(sql);
    await writeAgreementSummaries(sql, schema, summaries);
    const loadSeconds = seconds(loadStart);

    const busiest = summaries[0]?.proposer.cityId ?? '';
    const searchWord = (cities[7]?.name ?? 'ber').slice(0, 4);
    const everything = { kind: 'everything' } as const;
    const list = (overrides: Partial<AgreementListRequest>) => () =>
      listAgreements(sql, {
        scope: everything,
        sort: { field: 'last_change', direction: 'desc' },
        limit: 50,
        ...overrides,
      });
    const deepCursor = await (async () => {
      let cursor: string | null = null;
      for (let page = 0; page < 20; page += 1) {
        const result = await list({
          sort: { field: 'title', direction: 'asc' },
          ...(cursor === null ? {} : { cursor }),
        })();
        cursor = result.nextCursor;
      }
      return cursor ?? undefined;
    })();

    const cases: [string, () => Promise<unknown>][] = [
      ['list, newest change first', list({})],
      ['list, by title', list({ sort: { field: 'title', direction: 'asc' } })],
      [
        'list, by title, page 21 (cursor)',
        list({
          sort: { field: 'title', direction: 'asc' },
          ...(deepCursor === undefined ? {} : { cursor: deepCursor }),
        }),
      ],
      ['list, by city', list({ sort: { field: 'city', direction: 'asc' } })],
      ['filter: state=active, country=DE', list({ states: ['active'], country: 'DE' })],
      [
        'filter: proposed 1990–1999, by date',
        list({
          proposed: { from: '1990-01-01', to: '1999-12-31' },
          sort: { field: 'proposed', direction: 'asc' },
        }),
      ],
      ['clerk: own municipality only', list({ scope: { kind: 'municipality', cityId: busiest } })],
      [`search: one word prefix ("${searchWord}")`, list({ text: searchWord })],
      ['search: two words ("twinning ber")', list({ text: 'twinning ber' })],
      ['search: no match', list({ text: 'zzzzqx' })],
      [`search + filter (active, "${searchWord}")`, list({ text: searchWord, states: ['active'] })],
      ['city page', () => findCity(sql, busiest)],
      ['network, depth 2', () => cityNetwork(sql, { cityId: busiest, depth: 2, maxNodes: 500 })],
      ['statistics', () => agreementStatistics(sql, { countryPairLimit: 20 })],
    ];
    const rows: string[][] = [];
    for (const [name, run] of cases) {
      const durations = await timeQuery(run);
      rows.push([
        name,
        percentile(durations, 50).toFixed(2),
        percentile(durations, 95).toFixed(2),
        percentile(durations, 99).toFixed(2),
      ]);
    }
    printTable(
      `Queries over ${agreementCount.toLocaleString('en-GB')} agreements (${cities.length.toLocaleString('en-GB')} cities), PostgreSQL, ${runs} runs each, ms`,
      ['query', 'p50', 'p95', 'p99'],
      rows,
    );
    process.stdout.write(`\nloaded in ${loadSeconds.toFixed(1)} s; ${machineLine()}\n`);
  } finally {
    await sql.close();
    await database.drop();
  }
};

await main();
