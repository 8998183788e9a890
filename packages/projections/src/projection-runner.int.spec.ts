import { randomUUID } from 'node:crypto';
import type { EventStore, RecordedEvent } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createPGliteClient, createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProjectionControl, type ProjectionControl } from './projection-control.js';
import { createProjectionRunner, type ProjectionRunner } from './projection-runner.js';
import type { Projection } from './projection.js';
import type { ProjectionStatus } from './runner-types.js';
import { counted, countingProjection } from './testing/index.js';

const waitFor = async <T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

interface TotalsRow {
  stream_id: string;
  events: string;
  total: string;
}

describe.each(['postgres', 'pglite'] as const)(
  'projection runner (%s)',
  { timeout: 120_000 },
  (backend) => {
    let database: TestDatabase | undefined;
    let sql: SqlClient;
    let store: EventStore;
    let control: ProjectionControl;
    const runners: ProjectionRunner[] = [];

    const startRunner = async (projections: Projection[]): Promise<ProjectionRunner> => {
      const runner = createProjectionRunner({
        store,
        sql,
        projections,
        batchSize: 50,
        batchWaitMs: 10,
        lockRetryMs: 100,
        pollMs: 100,
        lagIntervalMs: 100,
      });
      runners.push(runner);
      await runner.start();
      return runner;
    };

    const appendCounts = async (streamId: string, amounts: readonly number[]): Promise<void> => {
      await store.appendToStream(
        streamId,
        amounts.map((amount) => counted(randomUUID(), amount)),
        { expectedRevision: 'any' },
      );
    };

    const totals = async (): Promise<TotalsRow[]> =>
      (
        await sql.query<TotalsRow>(
          'SELECT stream_id, events::text AS events, total::text AS total FROM read.counting_totals ORDER BY stream_id',
        )
      ).rows;

    const headPosition = async (): Promise<bigint> => {
      for await (const event of store.readAll({ direction: 'backwards', maxCount: 1 })) {
        return event.position;
      }
      throw new Error('the log is empty');
    };

    const statusOf = (runner: ProjectionRunner, name = 'counting'): ProjectionStatus => {
      const status = runner.status().find((entry) => entry.name === name);
      if (status === undefined) throw new Error(`no status for ${name}`);
      return status;
    };

    const liveAt = async (runner: ProjectionRunner, position: bigint): Promise<void> => {
      await waitFor(
        () =>
          statusOf(runner).builds.some(
            (build) => build.serving && build.phase === 'live' && build.position === position,
          ),
        `the serving build to reach ${position}`,
      );
    };

    /**
     * PGlite runs one transaction at a time (so a query cannot look into a rebuild in flight) and
     * takes seconds to start: it runs one path that covers applying, parking and a retry request.
     */
    const itOnServer = (name: string, test: () => Promise<void>, timeout?: number): void => {
      if (backend === 'postgres') it(name, test, timeout);
    };

    beforeEach(async () => {
      if (backend === 'postgres') {
        database = await createTestDatabase();
        sql = createPgClient({ connectionString: database.connectionString });
      } else {
        sql = await createPGliteClient();
      }
      store = await createPostgresEventStore(sql);
      control = await createProjectionControl(sql);
    });

    afterEach(async () => {
      for (const runner of runners.splice(0)) await runner.stop();
      await store.close();
      await sql.close();
      await database?.drop();
      database = undefined;
    });

    itOnServer('applies the log in batches and keeps a checkpoint per projection', async () => {
      await appendCounts('counter-a', [1, 2, 3]);
      await appendCounts('counter-b', [10]);
      await appendCounts('other-x', [100]);
      const runner = await startRunner([countingProjection()]);
      await liveAt(runner, await headPosition());

      expect(await totals()).toEqual([
        { stream_id: 'counter-a', events: '3', total: '6' },
        { stream_id: 'counter-b', events: '1', total: '10' },
      ]);
      await appendCounts('counter-a', [4]);
      await liveAt(runner, await headPosition());
      expect((await totals())[0]).toEqual({ stream_id: 'counter-a', events: '4', total: '10' });

      const [build] = await control.builds();
      expect(build).toMatchObject({
        name: 'counting',
        version: 1,
        schema: 'rm_counting_v1',
        state: 'serving',
        position: await headPosition(),
        eventsApplied: 5n,
      });
      await waitFor(() => statusOf(runner).lag?.events === 0 || undefined, 'lag to be measured');
    });

    itOnServer(
      'resumes from the checkpoint after a restart without applying anything twice',
      async () => {
        await appendCounts('counter-a', [1, 2]);
        const first = await startRunner([countingProjection()]);
        await liveAt(first, await headPosition());
        await first.stop();
        runners.splice(runners.indexOf(first), 1);

        await appendCounts('counter-a', [5]);
        const second = await startRunner([countingProjection()]);
        await liveAt(second, await headPosition());
        expect(await totals()).toEqual([{ stream_id: 'counter-a', events: '3', total: '8' }]);
      },
    );

    it('records when a build caught up, also when the log ends on a full batch', async () => {
      // Exactly one batch (the runner's batches hold 50): the news that it has caught up comes
      // after the batch has been applied, with nothing new in it.
      await appendCounts(
        'counter-a',
        Array.from({ length: 50 }, () => 1),
      );
      const runner = await startRunner([countingProjection()]);
      await liveAt(runner, await headPosition());
      const build = await waitFor(
        async () => (await control.builds()).find((entry) => entry.caughtUpAt !== undefined),
        'the build to record that it caught up',
      );
      expect(build.eventsApplied).toBe(50n);
    });

    it.each([
      ['event by event', false],
      ['in whole batches', true],
    ])(
      'parks a poison event, reports it, and retries it once the cause is fixed (%s)',
      async (_mode, batched) => {
        let broken = true;
        const poison = randomUUID();
        await appendCounts('counter-a', [1, 2]);
        await store.appendToStream('counter-a', [counted(poison, 7), counted(randomUUID(), 3)], {
          expectedRevision: 'any',
        });
        const runner = await startRunner([
          countingProjection({ rejects: (event) => broken && event.id === poison, batched }),
        ]);

        const parked = await waitFor(async () => (await control.parked())[0], 'a parked event');
        expect(parked).toMatchObject({
          projection: 'counting',
          version: 1,
          streamId: 'counter-a',
          revision: 2n,
          eventId: poison,
          eventType: 'Counted',
        });
        expect(parked.error).toContain(`cannot count event ${poison}`);
        // The runner reports it once the parking transaction has committed.
        await waitFor(() => statusOf(runner).parked || undefined, 'the status to say parked');
        // The events before the poison one are applied, the poison one and those after it are not.
        expect(await totals()).toEqual([{ stream_id: 'counter-a', events: '2', total: '3' }]);
        const [build] = await control.builds();
        expect(build?.position).toBeLessThan(parked.position);

        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await totals()).toEqual([{ stream_id: 'counter-a', events: '2', total: '3' }]);

        broken = false;
        const request = await control.requestRetry({
          projection: 'counting',
          position: parked.position,
          requestedBy: 'admin@example.org',
        });
        await liveAt(runner, await headPosition());
        expect(await totals()).toEqual([{ stream_id: 'counter-a', events: '4', total: '13' }]);
        expect(await control.parked()).toEqual([]);
        expect(await control.request(request.id)).toMatchObject({ status: 'done' });
        expect(statusOf(runner).parked).toBe(false);
      },
    );

    itOnServer(
      'skips a parked event only when asked, and records who skipped it and why',
      async () => {
        const poison = randomUUID();
        await appendCounts('counter-a', [1]);
        await store.appendToStream('counter-a', [counted(poison, 7)], { expectedRevision: 'any' });
        await appendCounts('counter-a', [2]);
        const runner = await startRunner([
          countingProjection({ rejects: (event) => event.id === poison }),
        ]);
        const parked = await waitFor(async () => (await control.parked())[0], 'a parked event');

        await expect(
          control.requestSkip({
            projection: 'counting',
            position: parked.position + 1n,
            requestedBy: 'admin@example.org',
            reason: 'wrong position',
          }),
        ).rejects.toThrow(/No event of counting is parked/);

        await control.requestSkip({
          projection: 'counting',
          position: parked.position,
          requestedBy: 'admin@example.org',
          reason: 'test data entered by mistake',
        });
        await liveAt(runner, await headPosition());
        expect(await totals()).toEqual([{ stream_id: 'counter-a', events: '2', total: '3' }]);
        expect(await control.skipped('counting')).toEqual([
          expect.objectContaining({
            position: parked.position,
            eventId: poison,
            skippedBy: 'admin@example.org',
            reason: 'test data entered by mistake',
          }),
        ]);
        expect(await control.parked()).toEqual([]);
      },
    );

    itOnServer(
      'rebuilds a raised version into new tables while the old ones serve, then switches over',
      async () => {
        await appendCounts('counter-a', [1, 2, 3]);
        const v1 = await startRunner([countingProjection()]);
        await liveAt(v1, await headPosition());
        await v1.stop();
        runners.splice(runners.indexOf(v1), 1);

        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let applied = 0;
        const v2 = await startRunner([
          countingProjection({
            version: 2,
            onApply: async () => {
              applied += 1;
              if (applied === 2) await held;
            },
          }),
        ]);
        await waitFor(() => applied >= 2 || undefined, 'the rebuild to start');
        // Mid-rebuild: the views still read version 1, whose tables are complete.
        expect(await totals()).toEqual([{ stream_id: 'counter-a', events: '3', total: '6' }]);
        expect((await control.builds()).map((build) => [build.schema, build.state])).toEqual([
          ['rm_counting_v1', 'serving'],
          ['rm_counting_v2', 'building'],
        ]);
        const rebuilding = statusOf(v2).builds.find((build) => !build.serving);
        expect(rebuilding?.phase).toBe('catching_up');
        release();

        await liveAt(v2, await headPosition());
        expect(await totals()).toEqual([{ stream_id: 'counter-a', events: '3', total: '6' }]);
        const views = await sql.query<{ definition: string }>(
          `SELECT definition FROM pg_views WHERE schemaname = 'read' AND viewname = 'counting_totals'`,
        );
        expect(views.rows[0]?.definition).toContain('rm_counting_v2');
        await waitFor(
          async () =>
            (
              await sql.query(
                `SELECT 1 FROM information_schema.schemata WHERE schema_name = 'rm_counting_v1'`,
              )
            ).rowCount === 0 || undefined,
          'the old schema to be dropped',
        );
      },
    );

    itOnServer('rebuilds the same version on request, under a new schema', async () => {
      await appendCounts('counter-a', [1, 2]);
      const runner = await startRunner([countingProjection()]);
      await liveAt(runner, await headPosition());

      const request = await control.requestRebuild({
        projection: 'counting',
        requestedBy: 'admin@example.org',
      });
      await waitFor(async () => {
        const builds = await control.builds();
        return builds.length === 1 && builds[0]?.schema === 'rm_counting_v1_b2'
          ? builds
          : undefined;
      }, 'the rebuilt schema to serve');
      expect(await control.request(request.id)).toMatchObject({
        status: 'done',
        outcome: 'rebuilding into rm_counting_v1_b2',
      });
      await liveAt(runner, await headPosition());
      expect(await totals()).toEqual([{ stream_id: 'counter-a', events: '2', total: '3' }]);
      await expect(
        control.requestRebuild({ projection: 'nonesuch', requestedBy: 'admin@example.org' }),
      ).rejects.toThrow(/No projection named "nonesuch"/);
    });

    itOnServer(
      'delivers filtered-out events to nobody but still moves the checkpoint past them',
      async () => {
        const seen: RecordedEvent[] = [];
        await appendCounts('other-a', [1, 2, 3]);
        const runner = await startRunner([
          countingProjection({ onApply: (event) => void seen.push(event) }),
        ]);
        await liveAt(runner, await headPosition());
        expect(seen).toEqual([]);
      },
    );
  },
);
