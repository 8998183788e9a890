import { randomUUID } from 'node:crypto';
import type { EventStore } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createProjectionControl, type ProjectionControl } from '@twinning/projections';
import { counted, countingProjection } from '@twinning/projections/testing';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProjectionsCli } from './projections-cli.js';
import { startProjector, type ProjectorHandle } from './start-projector.js';
import { waitUntil } from './testing/child-projector.js';

const capture = () => {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text, isTTY: false };
};

describe('projections CLI', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let sql: SqlClient;
  let store: EventStore;
  let control: ProjectionControl;
  let projector: ProjectorHandle;
  const poison = randomUUID();
  let broken = true;

  const run = async (...argv: string[]) => {
    const out = capture();
    const err = capture();
    const code = await runProjectionsCli(argv, {
      control,
      store,
      out,
      err,
      user: 'cli:tester',
      pollMs: 50,
    });
    return { code, out: out.text(), err: err.text() };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = createPgClient({ connectionString: database.connectionString });
    store = await createPostgresEventStore(sql);
    await store.appendToStream('counter-a', [counted(randomUUID(), 1), counted(poison, 2)], {
      expectedRevision: 'no_stream',
    });
    projector = await startProjector({
      store,
      sql,
      projections: [countingProjection({ rejects: (event) => broken && event.id === poison })],
      lockRetryMs: 200,
      pollMs: 100,
    });
    control = await createProjectionControl(sql);
    await waitUntil(async () => (await control.parked()).length > 0, 'the poison event to park');
  });

  afterAll(async () => {
    await projector.stop();
    await store.close();
    await sql.close();
    await database.drop();
  });

  it('shows builds and parked events', async () => {
    const status = await run('status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/counting\s+v1\s+rm_counting_v1\s+serving\s+\d+\s+1\s+[\d.]+%\s+1/);
    const parked = await run('parked', 'counting');
    expect(parked.out).toContain(poison);
    expect(parked.out).toContain(`cannot count event ${poison}`);
  });

  it('refuses bad command lines with the usage and exit code 2', async () => {
    const [position] = (await control.parked()).map((event) => event.position.toString());
    const noReason = await run('skip', 'counting', position!);
    expect(noReason.code).toBe(2);
    expect(noReason.err).toContain('skip needs --reason');
    expect((await run('retry', 'counting', 'twelve')).err).toContain(
      'position: a position is a non-negative whole number',
    );
    expect((await run('launch')).code).toBe(2);
    const unknown = await run('rebuild', 'nonesuch');
    expect(unknown).toMatchObject({
      code: 1,
      err: 'No projection named "nonesuch" has been built\n',
    });
  });

  it('skips a parked event with a reason and waits for the projector to do it', async () => {
    const [position] = (await control.parked()).map((event) => event.position.toString());
    const skip = await run('skip', 'counting', position!, '--reason', 'duplicate import', '--wait');
    expect(skip.code).toBe(0);
    expect(skip.out).toMatch(/skip counting at \d+\): done — skipped the event/);
    const skipped = await run('skipped');
    expect(skipped.out).toMatch(/cli:tester .* duplicate import/);
  });

  it('rebuilds on request and reports when the new build serves', async () => {
    // A rebuild applies every event again, the skipped one included: its cause is fixed now.
    broken = false;
    const rebuild = await run('rebuild', 'counting', '--wait', '--timeout', '120');
    expect(rebuild.code).toBe(0);
    expect(rebuild.out).toContain('rebuilding into rm_counting_v1_b2');
    expect(rebuild.out).toMatch(/rm_counting_v1_b2 serves now \(2 events applied\)/);
  });
});
