import { randomUUID } from 'node:crypto';
import type { EventStore } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createHttpApp, createLogger, type HttpApp } from '@twinning/http-kit';
import { createProjectionControl } from '@twinning/projections';
import { counted, countingProjection } from '@twinning/projections/testing';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerProjectorRoutes } from './projector-routes.js';
import { startProjector, type ProjectorHandle } from './start-projector.js';
import { waitUntil } from './testing/child-projector.js';

describe('projector health and metrics', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let sql: SqlClient;
  let store: EventStore;
  let app: HttpApp;
  let projector: ProjectorHandle | undefined;

  beforeEach(async () => {
    database = await createTestDatabase();
    sql = createPgClient({ connectionString: database.connectionString });
    store = await createPostgresEventStore(sql);
    app = await createHttpApp({
      name: 'twinning-projector',
      logger: createLogger({ name: 'projector', level: 'silent' }),
      defaultMetrics: false,
    });
  });

  afterEach(async () => {
    await app.close();
    await projector?.stop();
    await store.close();
    await sql.close();
    await database.drop();
  });

  /** `name{a="1"}` matches the sample of `name` carrying label a="1" (beside the app's own labels). */
  const metricValue = async (series: string): Promise<number | undefined> => {
    const [name = '', labels = ''] = series.replace('}', '').split('{');
    const wanted = labels === '' ? [] : labels.split(',');
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text
      .split('\n')
      .find(
        (candidate) =>
          candidate.startsWith(`${name}{`) && wanted.every((label) => candidate.includes(label)),
      );
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  it('reports a parked event as not ready until it is retried, with lag and metrics', async () => {
    let broken = true;
    const poison = randomUUID();
    await store.appendToStream('counter-a', [counted(randomUUID(), 1), counted(poison, 2)], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream('counter-b', [counted(randomUUID(), 4)], {
      expectedRevision: 'no_stream',
    });
    projector = await startProjector({
      store,
      sql,
      projections: [countingProjection({ rejects: (event) => broken && event.id === poison })],
      metrics: app.metrics,
      lockRetryMs: 200,
      pollMs: 100,
      lagIntervalMs: 100,
    });
    registerProjectorRoutes(app, projector);
    const control = await createProjectionControl(sql);
    const parked = await waitUntil(async () => (await control.parked())[0], 'a parked event');

    const notReady = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({
      status: 'not_ready',
      checks: [
        {
          name: 'projections',
          status: 'fail',
          reason: 'failed',
          details: { parked: [{ projection: 'counting', position: parked.position.toString() }] },
        },
      ],
    });
    await expect(projector.checkReadiness()).rejects.toThrow(
      `parked events: counting at ${parked.position}`,
    );

    await waitUntil(
      async () =>
        (await metricValue('twinning_projection_lag_events{projection="counting"}')) === 2,
      'the lag to show the poison event and the one after it',
    );
    expect(await metricValue('twinning_projection_parked{projection="counting"}')).toBe(1);
    expect(
      await metricValue('twinning_projection_events_applied_total{projection="counting"}'),
    ).toBe(1);
    expect(
      await metricValue('twinning_projection_lag_seconds{projection="counting"}'),
    ).toBeGreaterThanOrEqual(0);
    const health = await app.inject({ method: 'GET', url: '/health/projections' });
    expect(health.json()).toMatchObject({
      projections: [
        {
          name: 'counting',
          role: 'active',
          parked: true,
          lag: { events: 2, exact: true },
          builds: [
            { schema: 'rm_counting_v1', phase: 'parked', parkedAt: parked.position.toString() },
          ],
        },
      ],
    });

    broken = false;
    await control.requestRetry({
      projection: 'counting',
      position: parked.position,
      requestedBy: 'ops@example.org',
    });
    await waitUntil(
      async () => (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200,
      'readiness after the retry',
    );
    await waitUntil(
      async () =>
        (await metricValue('twinning_projection_lag_events{projection="counting"}')) === 0,
      'the lag to clear',
    );
    // Readiness reports each projection's lag beside its verdict.
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        {
          name: 'projections',
          status: 'pass',
          details: {
            projections: [{ name: 'counting', role: 'active', parked: false, lagEvents: 0 }],
          },
        },
      ],
    });
    expect(
      await metricValue('twinning_projection_events_applied_total{projection="counting"}'),
    ).toBe(3);
    expect(await metricValue('twinning_projection_parked{projection="counting"}')).toBe(0);
    expect(
      await metricValue(
        'twinning_projection_rebuild_progress_ratio{projection="counting",schema="rm_counting_v1"}',
      ),
    ).toBe(1);
    const { rows } = await sql.query<{ events: string }>(
      `SELECT sum(events)::text AS events FROM read.counting_totals`,
    );
    expect(rows[0]?.events).toBe('3');
  });
});
