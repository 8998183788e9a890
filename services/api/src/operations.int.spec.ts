import { createInMemoryEventStore, type EventStore } from '@twinning/event-store';
import { createLogger, type HttpApp } from '@twinning/http-kit';
import { createPGliteClient, type SqlClient } from '@twinning/sql';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { createTokenVerifier, loadAuthConfig, mintDevToken } from './auth/index.js';
import { COMMAND_ENDPOINTS } from './agreements/command-endpoints.js';
import { createSqlMunicipalityDirectory } from './municipalities/municipality-directory.js';

/** What operators and integrators rely on: probes, metrics, the OpenAPI document, the docs UI. */

let sql: SqlClient;
let store: EventStore;
let storeIsDown: boolean;
let app: HttpApp;

// One embedded database for the file (it takes seconds to start); a fresh app for each test.
beforeAll(async () => {
  sql = await createPGliteClient();
});
afterAll(() => sql.close());

beforeEach(async () => {
  const inner = createInMemoryEventStore();
  storeIsDown = false;
  store = {
    ...inner,
    readStream: (...args) => inner.readStream(...args),
    readAll: (...args) => inner.readAll(...args),
    ping: () => (storeIsDown ? Promise.reject(new Error('connection refused')) : inner.ping()),
  };
  app = await buildApp({
    store,
    municipalities: await createSqlMunicipalityDirectory(sql),
    verifier: createTokenVerifier(loadAuthConfig({ AUTH_MODE: 'dev' })),
    logger: createLogger({ name: 'twinning-api', level: 'silent' }),
  });
});
afterEach(() => app.close());

const coventryClerk = () =>
  mintDevToken({
    subject: 'clerk@gb-coventry',
    name: 'Clerk of Coventry',
    roles: ['clerk'],
    municipality: 'gb-coventry',
  });

describe('health probes', () => {
  it('live answers 200 without a token, whatever the store does', async () => {
    storeIsDown = true;
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
  });

  it('ready answers 200 while the event store answers its ping', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ready',
      checks: [{ name: 'eventStore', status: 'pass' }],
    });
  });

  it('ready answers 503 when the event store ping fails', async () => {
    storeIsDown = true;
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'not_ready',
      checks: [{ name: 'eventStore', status: 'fail', reason: 'failed' }],
    });
  });
});

describe('metrics', () => {
  it('count commands by type and outcome, and requests by route and status', async () => {
    const token = await coventryClerk();
    const { proposal } = { proposal: COMMAND_ENDPOINTS[0].example };
    const proposed = await app.inject({
      method: 'POST',
      url: '/agreements',
      headers: { authorization: `Bearer ${token}` },
      payload: proposal,
    });
    expect(proposed.statusCode).toBe(201);
    const id = proposed.json<{ agreement: { agreementId: string } }>().agreement.agreementId;
    const refused = await app.inject({
      method: 'POST',
      url: `/agreements/${id}/activation`,
      headers: { authorization: `Bearer ${token}` },
      payload: { effectiveOn: '1959-01-01' },
    });
    expect(refused.statusCode).toBe(409);
    const kielClerk = await mintDevToken({
      subject: 'clerk@de-kiel',
      name: 'Clerk of Kiel',
      roles: ['clerk'],
      municipality: 'de-kiel',
    });
    const hidden = await app.inject({
      method: 'POST',
      url: `/agreements/${id}/withdrawal`,
      headers: { authorization: `Bearer ${kielClerk}` },
      payload: {},
    });
    expect(hidden.statusCode).toBe(404);

    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const lines = metrics.body.split('\n');
    const sample = (name: string, labels: readonly string[]) =>
      lines.find(
        (line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)),
      );
    expect(
      sample('twinning_commands_total', ['command="ProposeAgreement"', 'outcome="accepted"']),
    ).toMatch(/ 1$/);
    expect(
      sample('twinning_commands_total', ['command="ActivateAgreement"', 'outcome="rejected"']),
    ).toMatch(/ 1$/);
    expect(
      sample('twinning_commands_total', ['command="WithdrawProposal"', 'outcome="refused"']),
    ).toMatch(/ 1$/);
    expect(
      sample('http_requests_total', ['method="POST"', 'route="/agreements"', 'status="201"']),
    ).toMatch(/ 1$/);
    expect(
      sample('http_requests_total', [
        'route="/agreements/:agreementId/activation"',
        'status="409"',
      ]),
    ).toMatch(/ 1$/);
  });
});

describe('API documentation', () => {
  interface OpenApiOperation {
    readonly requestBody?: {
      readonly content: Record<string, { schema: unknown; examples?: unknown; example?: unknown }>;
    };
    readonly security?: unknown;
  }

  it('lists every command endpoint with its request schema and an example', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{ paths: Record<string, Record<string, OpenApiOperation>> }>();
    expect(COMMAND_ENDPOINTS).toHaveLength(12);
    for (const endpoint of COMMAND_ENDPOINTS) {
      const path =
        endpoint.path === undefined ? '/agreements' : `/agreements/{agreementId}/${endpoint.path}`;
      const operation = document.paths[path]?.['post'];
      expect(operation, path).toBeDefined();
      const json = operation?.requestBody?.content['application/json'];
      expect(json?.schema, path).toMatchObject({ type: 'object' });
      expect(JSON.stringify(json), path).toContain(JSON.stringify(endpoint.example).slice(1, -1));
      expect(operation?.security).toEqual([{ bearerAuth: [] }]);
    }
    for (const path of [
      '/agreements/{agreementId}',
      '/agreements/{agreementId}/events',
      '/admin/municipalities',
    ]) {
      expect(document.paths[path]?.['get'], path).toBeDefined();
    }
  });

  it('serves Swagger UI at /docs without a token', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/' });
    const page =
      response.statusCode === 302
        ? await app.inject({ method: 'GET', url: String(response.headers['location']) })
        : response;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(/swagger/i);
  });
});
