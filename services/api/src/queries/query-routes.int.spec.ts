import { createPostgresEventStore } from '@twinning/event-store-postgres';
import type { EventStore } from '@twinning/event-store';
import { createLogger, type HttpApp } from '@twinning/http-kit';
import { createProjectionRunner, type ProjectionRunner } from '@twinning/projections';
import { READ_MODEL_PROJECTIONS, waitForReadModels } from '@twinning/read-models';
import { createPGliteClient, type SqlClient } from '@twinning/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createTokenVerifier, loadAuthConfig, mintDevToken } from '../auth/index.js';
import { createSqlMunicipalityDirectory } from '../municipalities/municipality-directory.js';

/**
 * The query routes on embedded PGlite (as `pnpm start` runs them), fed by the real projection
 * runner from agreements proposed through the command routes.
 */
let sql: SqlClient;
let store: EventStore;
let app: HttpApp;
let runner: ProjectionRunner;
const tokens: Record<'coventry' | 'kiel' | 'auditor', string> = {
  coventry: '',
  kiel: '',
  auditor: '',
};

const coventry = {
  cityId: 'gb-coventry',
  name: 'Coventry',
  country: 'GB',
  councilApprovalRequired: false,
};
const kiel = { cityId: 'de-kiel', name: 'Kiel', country: 'DE', councilApprovalRequired: false };
const dresden = {
  cityId: 'de-dresden',
  name: 'Dresden',
  country: 'DE',
  councilApprovalRequired: false,
};
const saintEtienne = {
  cityId: 'fr-saint-etienne',
  name: 'Saint-Étienne',
  country: 'FR',
  councilApprovalRequired: false,
};

const call = (url: string, token: string = tokens.auditor) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

const propose = async (
  token: string,
  proposer: object,
  partner: object,
  title: string,
  proposedOn: string,
): Promise<{ agreementId: string; position: string }> => {
  const response = await app.inject({
    method: 'POST',
    url: '/agreements',
    headers: { authorization: `Bearer ${token}` },
    payload: {
      proposer,
      partner,
      terms: {
        title,
        purpose: 'Friendship and exchange',
        areasOfExchange: ['culture'],
        kind: 'sister_city',
        startDate: '2030-01-01',
      },
      proposedOn,
    },
  });
  expect(response.statusCode).toBe(201);
  const body = response.json<{ agreement: { agreementId: string }; position: string }>();
  return { agreementId: body.agreement.agreementId, position: body.position };
};

let lastWrite = { agreementId: '', position: '0' };

beforeAll(async () => {
  sql = await createPGliteClient();
  store = await createPostgresEventStore(sql);
  app = await buildApp({
    store,
    sql,
    municipalities: await createSqlMunicipalityDirectory(sql),
    verifier: createTokenVerifier(loadAuthConfig({ AUTH_MODE: 'dev' })),
    logger: createLogger({ name: 'twinning-api', level: 'silent' }),
    now: () => new Date('2026-03-01T12:00:00Z'),
  });
  tokens.coventry = await mintDevToken({
    subject: 'clerk@gb-coventry',
    name: 'Coventry clerk',
    roles: ['clerk'],
    municipality: 'gb-coventry',
  });
  tokens.kiel = await mintDevToken({
    subject: 'clerk@de-kiel',
    name: 'Kiel clerk',
    roles: ['clerk'],
    municipality: 'de-kiel',
  });
  tokens.auditor = await mintDevToken({ subject: 'auditor', name: 'Auditor', roles: ['auditor'] });

  await propose(tokens.coventry, coventry, kiel, 'Coventry and Kiel', '1946-11-01');
  await propose(tokens.coventry, coventry, dresden, 'Coventry and Dresden', '1955-10-01');
  lastWrite = await propose(
    tokens.kiel,
    kiel,
    saintEtienne,
    'Kiel and Saint-Étienne',
    '2019-06-01',
  );

  runner = createProjectionRunner({
    store,
    sql,
    projections: [...READ_MODEL_PROJECTIONS],
    batchWaitMs: 5,
    lockRetryMs: 100,
    pollMs: 100,
  });
  await runner.start();
  const caughtUp = await waitForReadModels(sql, {
    minPosition: BigInt(lastWrite.position),
    projectionNames: READ_MODEL_PROJECTIONS.map((projection) => projection.name),
    timeoutMs: 30_000,
  });
  expect(caughtUp.reached).toBe(true);
});

afterAll(async () => {
  await runner.stop();
  await app.close();
  await store.close();
  await sql.close();
});

interface ListBody {
  items: { agreementId: string; title: string; state: string }[];
  nextCursor: string | null;
  stale: boolean;
}

describe('GET /agreements', () => {
  it('lists every agreement for an auditor, and pages with the cursor it returns', async () => {
    const first = await call('/agreements?sort=title&limit=2');
    expect(first.statusCode).toBe(200);
    const page = first.json<ListBody>();
    expect(page.items.map((item) => item.title)).toEqual([
      'Coventry and Dresden',
      'Coventry and Kiel',
    ]);
    expect(page.stale).toBe(false);
    const second = await call(`/agreements?sort=title&limit=2&cursor=${page.nextCursor ?? ''}`);
    expect(second.json<ListBody>().items.map((item) => item.title)).toEqual([
      'Kiel and Saint-Étienne',
    ]);
    expect(second.json<ListBody>().nextCursor).toBeNull();
  });

  it("shows a clerk only their municipality's agreements", async () => {
    const response = await call('/agreements', tokens.coventry);
    expect(
      response
        .json<ListBody>()
        .items.map((item) => item.title)
        .sort(),
    ).toEqual(['Coventry and Dresden', 'Coventry and Kiel']);
  });

  it('searches accent-insensitively and filters', async () => {
    const found = await call('/agreements?q=etienne');
    expect(found.json<ListBody>().items.map((item) => item.title)).toEqual([
      'Kiel and Saint-Étienne',
    ]);
    const filtered = await call(
      '/agreements?country=de&state=proposed&kind=sister_city&proposedTo=1950-01-01',
    );
    expect(filtered.json<ListBody>().items.map((item) => item.title)).toEqual([
      'Coventry and Kiel',
    ]);
  });

  it('answers a bad query string with a 400 naming each field', async () => {
    const response = await call(
      '/agreements?state=dormant&limit=0&sort=size&proposedFrom=yesterday',
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<{ code: string; errors: { path: string }[] }>();
    expect(problem.code).toBe('TWN_ERR_VALIDATION');
    expect(problem.errors.map((error) => error.path).sort()).toEqual([
      'querystring.limit',
      'querystring.proposedFrom',
      'querystring.sort',
      'querystring.state.0',
    ]);
  });

  it('answers a cursor it did not issue with a 400', async () => {
    const response = await call('/agreements?cursor=bm90LWEtY3Vyc29y');
    expect(response.statusCode).toBe(400);
    expect(response.json<{ code: string }>().code).toBe('TWN_ERR_INVALID_CURSOR');
  });

  it('needs a token', async () => {
    const response = await app.inject({ method: 'GET', url: '/agreements' });
    expect(response.statusCode).toBe(401);
  });
});

describe('reading your own writes', () => {
  it('waits for the position a command answered with', async () => {
    const write = await propose(
      tokens.coventry,
      coventry,
      saintEtienne,
      'Coventry and Saint-Étienne',
      '1955-01-01',
    );
    const response = await call(
      `/agreements?q=coventry%20saint&minPosition=${write.position}`,
      tokens.coventry,
    );
    const body = response.json<ListBody>();
    expect(body.stale).toBe(false);
    expect(body.items.map((item) => item.agreementId)).toEqual([write.agreementId]);
    expect(BigInt(response.headers['x-twinning-read-position'] as string)).toBeGreaterThanOrEqual(
      BigInt(write.position),
    );
  });

  it('marks the answer stale when the read models do not get there in time', async () => {
    const beyond = (BigInt(lastWrite.position) * 1000n).toString();
    const response = await call(`/agreements?minPosition=${beyond}`);
    expect(response.statusCode).toBe(200);
    expect(response.json<ListBody>().stale).toBe(true);
    expect(response.headers.warning).toMatch(/^110 twinning "Response is stale/);
  }, 10_000);
});

describe('cities, activity, due agreements and statistics', () => {
  it('shows a city with its partners, to any role', async () => {
    const response = await call('/cities/gb-coventry', tokens.kiel);
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      city: { name: string };
      partnerships: { partner: { name: string }; state: string }[];
    }>();
    expect(body.city.name).toBe('Coventry');
    expect(body.partnerships.map((p) => [p.partner.name, p.state])).toEqual([
      ['Dresden', 'proposed'],
      ['Kiel', 'proposed'],
      ['Saint-Étienne', 'proposed'],
    ]);
    expect((await call('/cities/xx-atlantis')).statusCode).toBe(404);
    expect((await call('/cities/Not%20an%20id')).statusCode).toBe(400);
  });

  it('walks the network only through partnerships, and bounds the depth', async () => {
    const response = await call('/cities/gb-coventry/network?depth=2');
    expect(response.statusCode).toBe(200);
    // Nothing is signed yet: Coventry stands alone.
    expect(response.json<{ nodes: unknown[]; edges: unknown[] }>()).toMatchObject({
      nodes: [{ cityId: 'gb-coventry', depth: 0 }],
      edges: [],
    });
    expect((await call('/cities/gb-coventry/network?depth=5')).statusCode).toBe(400);
  });

  it("gives a clerk their own municipality's activity and refuses another's", async () => {
    const own = await call('/municipalities/de-kiel/activity', tokens.kiel);
    expect(own.statusCode).toBe(200);
    const feed = own.json<{ items: { eventType: string; actor: { subject: string } }[] }>();
    expect(feed.items.map((item) => [item.eventType, item.actor.subject])).toEqual([
      ['AgreementProposed', 'clerk@de-kiel'],
      ['AgreementProposed', 'clerk@gb-coventry'],
    ]);
    expect((await call('/municipalities/gb-coventry/activity', tokens.kiel)).statusCode).toBe(403);
    expect((await call('/municipalities/gb-coventry/activity')).statusCode).toBe(200);
  });

  it('lists agreements due, without colliding with /agreements/:agreementId', async () => {
    const response = await call('/agreements/due?withinDays=60');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      on: '2026-03-01',
      withinDays: 60,
      pendingSignatures: [],
      expiring: [],
    });
    expect((await call('/agreements/due?withinDays=-1')).statusCode).toBe(400);
  });

  it('counts agreements for everyone', async () => {
    const response = await call('/statistics', tokens.kiel);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      total: 4,
      byState: { proposed: 4 },
      byKind: { sister_city: 4 },
      byCountryPair: [
        { countries: ['DE', 'GB'], count: 2 },
        { countries: ['DE', 'FR'], count: 1 },
        { countries: ['FR', 'GB'], count: 1 },
      ],
      activatedPerYear: [],
    });
  });

  it('documents the query routes in OpenAPI', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    const paths = Object.keys(response.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/agreements',
        '/agreements/due',
        '/cities/{cityId}',
        '/cities/{cityId}/network',
        '/municipalities/{cityId}/activity',
        '/statistics',
      ]),
    );
  });
});
