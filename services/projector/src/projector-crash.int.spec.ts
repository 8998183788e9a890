import { randomInt, randomUUID } from 'node:crypto';
import type { EventStore } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createProjectionRunner } from '@twinning/projections';
import { counted, countingProjection } from '@twinning/projections/testing';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnChildProjector, waitUntil, type ChildProjector } from './testing/child-projector.js';

/**
 * Long-running (one to three minutes on two busy cores): real child processes killed with SIGKILL during a
 * catch-up of 20,000 events, and two processes competing for the same projection.
 */
const EVENTS = Number(process.env['PROJECTOR_CRASH_TEST_EVENTS'] ?? '20000');
const STREAMS = 40;
const PER_APPEND = 100;

describe('projector processes on PostgreSQL (long-running)', () => {
  let database: TestDatabase;
  let sql: SqlClient;
  let store: EventStore;
  const children: ChildProjector[] = [];

  const checkpoint = async (): Promise<bigint | undefined> => {
    const { rows } = await sql
      .query<{ position: string | null }>(
        `SELECT position::text AS position FROM projection_checkpoints WHERE name = 'counting' AND state = 'serving'`,
      )
      .catch(() => ({ rows: [] as { position: string | null }[] }));
    const position = rows[0]?.position;
    return position == null ? undefined : BigInt(position);
  };

  const head = async (): Promise<bigint> => {
    for await (const event of store.readAll({ direction: 'backwards', maxCount: 1 })) {
      return event.position;
    }
    throw new Error('empty log');
  };

  const totalsOf = async (table: string) =>
    (
      await sql.query<{ stream_id: string; events: string; total: string }>(
        `SELECT stream_id, events::text AS events, total::text AS total FROM ${table} ORDER BY stream_id`,
      )
    ).rows;

  const spawn = (environment: Record<string, string> = {}): ChildProjector => {
    const child = spawnChildProjector(database.connectionString, environment);
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = createPgClient({ connectionString: database.connectionString });
    store = await createPostgresEventStore(sql);
    for (let appended = 0; appended < EVENTS; appended += PER_APPEND) {
      const stream = `counter-${(appended / PER_APPEND) % STREAMS}`;
      await store.appendToStream(
        stream,
        Array.from({ length: PER_APPEND }, (_, index) =>
          counted(randomUUID(), (appended + index) % 97),
        ),
        { expectedRevision: 'any' },
      );
    }
  }, 120_000);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      for (const child of children) {
        process.stderr.write(`--- child ${String(child.process.pid)}\n`);
        for (const line of child.lines.slice(-30))
          process.stderr.write(`${JSON.stringify(line)}\n`);
      }
    }
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.splice(0).map((child) => child.exited));
  });

  afterAll(async () => {
    await store.close();
    await sql.close();
    await database.drop();
  });

  it('reaches the same read model as a fresh rebuild after being killed at random points', async () => {
    const target = await head();
    let killedMidCatchUp = 0;
    for (let round = 0; round < 8; round += 1) {
      const before = await checkpoint();
      const child = spawn({ PROCESS_TAG: `round-${round}`, BATCH_SIZE: '100' });
      // Wait for progress in this round, then kill at a random moment after it.
      await waitUntil(
        async () => {
          const now = await checkpoint();
          return now !== undefined && (before === undefined || now > before);
        },
        `progress in round ${round}`,
        90_000,
      );
      await new Promise((resolve) => setTimeout(resolve, randomInt(0, 150)));
      child.kill('SIGKILL');
      await child.exited;
      const at = await checkpoint();
      if (at !== undefined && at < target) killedMidCatchUp += 1;
      if (at === target) break;
    }
    expect(killedMidCatchUp).toBeGreaterThanOrEqual(3);

    const last = spawn({ PROCESS_TAG: 'last' });
    await waitUntil(
      async () => (await checkpoint()) === target,
      'the last run to catch up',
      400_000,
    );
    last.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const fresh = createProjectionRunner({
      store,
      sql,
      projections: [countingProjection({ name: 'fresh' })],
      batchSize: 500,
    });
    await fresh.start();
    try {
      await waitUntil(
        () =>
          fresh
            .status()[0]
            ?.builds.some((build) => build.phase === 'live' && build.position === target),
        'the fresh rebuild',
        400_000,
      );
    } finally {
      await fresh.stop();
    }

    const survived = await totalsOf('read.counting_totals');
    expect(survived).toHaveLength(Math.min(STREAMS, EVENTS / PER_APPEND));
    expect(survived).toEqual(await totalsOf('read.fresh_totals'));
    const { rows } = await sql.query<{ applied: string; distinct_events: string }>(
      'SELECT count(*)::text AS applied, count(DISTINCT event_id)::text AS distinct_events FROM read.counting_applied',
    );
    expect(rows[0]).toEqual({ applied: String(EVENTS), distinct_events: String(EVENTS) });
    const parked = await sql.query('SELECT 1 FROM projection_parked');
    expect(parked.rowCount).toBe(0);
    const { rows: checkpoints } = await sql.query<{ events_applied: string }>(
      `SELECT events_applied::text AS events_applied FROM projection_checkpoints WHERE name = 'counting'`,
    );
    expect(checkpoints).toEqual([{ events_applied: String(EVENTS) }]);
  }, 1_200_000);

  it('lets exactly one of two processes apply events, and the other take over when it dies', async () => {
    const first = spawn({ PROCESS_TAG: 'alpha', LOCK_RETRY_MS: '300' });
    const second = spawn({ PROCESS_TAG: 'beta', LOCK_RETRY_MS: '300' });
    const holding = (child: ChildProjector) =>
      child.lines.some((line) => line.msg === 'holding the projection');
    const holder = await waitUntil(
      () => (holding(first) ? first : holding(second) ? second : undefined),
      'one process to take the projection',
      90_000,
    );
    const standby = holder === first ? second : first;
    await waitUntil(
      () => standby.lines.some((line) => line.msg === 'projector started'),
      'standby',
      90_000,
    );

    const appendMore = async (count: number) => {
      for (let index = 0; index < count; index += 1) {
        await store.appendToStream('counter-failover', [counted(randomUUID(), 1)], {
          expectedRevision: 'any',
        });
      }
    };
    await appendMore(20);
    let target = await head();
    await waitUntil(
      async () => (await checkpoint()) === target,
      'the holder to apply them',
      90_000,
    );
    const tagOf = (child: ChildProjector) => (child === first ? 'alpha' : 'beta');
    const appliedBy = async () =>
      (
        await sql.query<{ applied_by: string; events: string }>(
          `SELECT applied_by, count(*)::text AS events FROM read.counting_applied
            WHERE applied_by IN ('alpha', 'beta') GROUP BY applied_by ORDER BY applied_by`,
        )
      ).rows;
    expect(await appliedBy()).toEqual([{ applied_by: tagOf(holder), events: '20' }]);
    expect(holding(standby)).toBe(false);

    const killedAt = Date.now();
    holder.kill('SIGKILL');
    await holder.exited;
    await appendMore(15);
    target = await head();
    await waitUntil(
      async () => (await checkpoint()) === target,
      'the standby to take over',
      60_000,
    );
    // Seconds on an idle machine; the bound leaves room for a loaded one.
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(holding(standby)).toBe(true);
    expect(await appliedBy()).toEqual(
      [
        { applied_by: tagOf(holder), events: '20' },
        { applied_by: tagOf(standby), events: '15' },
      ].sort((a, b) => a.applied_by.localeCompare(b.applied_by)),
    );
    const { rows } = await sql.query<{ applied: string; distinct_events: string }>(
      'SELECT count(*)::text AS applied, count(DISTINCT event_id)::text AS distinct_events FROM read.counting_applied',
    );
    expect(rows[0]?.applied).toBe(rows[0]?.distinct_events);
    standby.kill('SIGTERM');
    expect(await standby.exited).toBe(0);
  }, 300_000);
});
