import { randomUUID } from 'node:crypto';
import type { EventStore } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createLogger, type HttpApp } from '@twinning/http-kit';
import { createProjectionRunner, type ProjectionRunner } from '@twinning/projections';
import { counted, countingProjection } from '@twinning/projections/testing';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createTokenVerifier, loadAuthConfig, mintDevToken } from '../auth/index.js';
import { createSqlMunicipalityDirectory } from '../municipalities/municipality-directory.js';

const waitFor = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('projection admin routes', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let sql: SqlClient;
  let store: EventStore;
  let app: HttpApp;
  let runner: ProjectionRunner;
  let adminToken: string;
  let clerkToken: string;
  const poison = randomUUID();

  const call = (method: 'GET' | 'POST', url: string, payload?: object, token = adminToken) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload }),
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = createPgClient({ connectionString: database.connectionString });
    store = await createPostgresEventStore(sql);
    await store.appendToStream('counter-a', [counted(randomUUID(), 1), counted(poison, 2)], {
      expectedRevision: 'no_stream',
    });
    runner = createProjectionRunner({
      store,
      sql,
      projections: [countingProjection({ rejects: (event) => event.id === poison })],
      pollMs: 100,
      lockRetryMs: 200,
    });
    await runner.start();
    app = await buildApp({
      store,
      sql,
      municipalities: await createSqlMunicipalityDirectory(sql),
      verifier: createTokenVerifier(loadAuthConfig({ AUTH_MODE: 'dev' })),
      logger: createLogger({ name: 'twinning-api', level: 'silent' }),
    });
    adminToken = await mintDevToken({ subject: 'ops-1', name: 'Operator', roles: ['admin'] });
    clerkToken = await mintDevToken({
      subject: 'clerk-1',
      name: 'Clerk',
      roles: ['clerk'],
      municipality: 'gb-coventry',
    });
  });

  afterAll(async () => {
    await app.close();
    await runner.stop();
    await store.close();
    await sql.close();
    await database.drop();
  });

  const parkedPosition = () =>
    waitFor(async () => {
      const body = (await call('GET', '/admin/projections/parked?projection=counting')).json<{
        parked: { position: string }[];
      }>();
      return body.parked[0]?.position;
    }, 'a parked event');

  it('lists builds and parked events to admins only', async () => {
    const position = await parkedPosition();
    const overview = await call('GET', '/admin/projections');
    expect(overview.statusCode).toBe(200);
    expect(overview.json()).toMatchObject({
      builds: [
        {
          projection: 'counting',
          version: 1,
          schema: 'rm_counting_v1',
          state: 'serving',
          eventsApplied: '1',
        },
      ],
      parked: [
        {
          projection: 'counting',
          position,
          streamId: 'counter-a',
          revision: '1',
          eventId: poison,
          eventType: 'Counted',
          error: expect.stringContaining('cannot count event') as string,
        },
      ],
    });
    expect((await call('GET', '/admin/projections', undefined, clerkToken)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/admin/projections' })).statusCode).toBe(401);
  });

  it('refuses retries and skips that name no parked event, and skips without a reason', async () => {
    const position = await parkedPosition();
    const wrong = await call(
      'POST',
      `/admin/projections/counting/parked/${BigInt(position) + 1n}/retry`,
    );
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json()).toMatchObject({ code: 'TWN_ERR_PARKED_EVENT_NOT_FOUND' });
    const unknown = await call('POST', '/admin/projections/nonesuch/rebuild', {});
    expect(unknown.json()).toMatchObject({ status: 404, code: 'TWN_ERR_PROJECTION_NOT_FOUND' });
    const noReason = await call('POST', `/admin/projections/counting/parked/${position}/skip`, {});
    expect(noReason.statusCode).toBe(400);
    const badPosition = await call('POST', '/admin/projections/counting/parked/-4/retry');
    expect(badPosition.statusCode).toBe(400);
  });

  it('skips a parked event through the runner and records who skipped it and why', async () => {
    const position = await parkedPosition();
    const filed = await call('POST', `/admin/projections/counting/parked/${position}/skip`, {
      reason: 'a test event that reached production',
    });
    expect(filed.statusCode).toBe(202);
    const request = filed.json<{ id: string; status: string; requestedBy: string }>();
    expect(request).toMatchObject({ status: 'pending', requestedBy: 'ops-1', kind: 'skip' });

    const handled = await waitFor(async () => {
      const body = (await call('GET', `/admin/projections/requests/${request.id}`)).json<{
        status: string;
      }>();
      return body.status === 'pending' ? undefined : body;
    }, 'the runner to handle the skip');
    expect(handled).toMatchObject({ status: 'done', outcome: 'skipped the event' });
    expect((await call('GET', '/admin/projections/skipped')).json()).toMatchObject({
      skipped: [
        {
          projection: 'counting',
          position,
          eventId: poison,
          skippedBy: 'ops-1',
          reason: 'a test event that reached production',
        },
      ],
    });
    expect((await call('GET', '/admin/projections/parked')).json()).toEqual({ parked: [] });
    expect((await call('GET', '/admin/projections/requests/999999')).statusCode).toBe(404);
  });

  it('files a rebuild for the runner', async () => {
    const filed = await call('POST', '/admin/projections/counting/rebuild', {
      reason: 'new index',
    });
    expect(filed.statusCode).toBe(202);
    expect(filed.json()).toMatchObject({ kind: 'rebuild', reason: 'new index', status: 'pending' });
  });
});
