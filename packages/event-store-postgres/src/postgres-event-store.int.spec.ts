import { randomUUID } from 'node:crypto';
import {
  EventStoreUnavailableError,
  ExpectedRevisionConflictError,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
  type SubscriptionMessage,
} from '@twinning/event-store';
import { createPGliteClient, createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, randomSchemaName, type TestDatabase } from '@twinning/sql/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createPostgresEventStore } from './index.js';
import { createPostgresEventStoreWithHooks } from './postgres-event-store.js';

const newEvent = (type: string, data: Record<string, number | string> = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: {},
});

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects a subscription's events in the background. */
const recordEvents = (store: EventStore, streamPrefix: string) => {
  const subscription = store.subscribeToAll({ filter: { streamPrefixes: [streamPrefix] } });
  const events: RecordedEvent[] = [];
  let caughtUp = false;
  const done = (async () => {
    for await (const message of subscription as AsyncIterable<SubscriptionMessage>) {
      if (message.type === 'event') events.push(message.event);
      if (message.type === 'caught-up') caughtUp = true;
    }
  })();
  return {
    events,
    isCaughtUp: () => caughtUp,
    stop: async () => {
      await subscription.close();
      await done;
    },
  };
};

const waitFor = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
};

describe('PostgreSQL event store on a server', () => {
  let database: TestDatabase;
  let client: SqlClient;
  let admin: SqlClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = createPgClient({ connectionString: database.connectionString, max: 60 });
    admin = createPgClient({ connectionString: database.connectionString, max: 1 });
  });

  afterAll(async () => {
    await client.close();
    await admin.close();
    await database.drop();
  });

  /** A store in a schema of its own, closed and dropped when the test ends. */
  const storeOfItsOwn = async (
    prefix: string,
    on: SqlClient = client,
  ): Promise<{ store: EventStore; schema: string }> => {
    const schema = randomSchemaName(prefix);
    const store = await createPostgresEventStore(on, { schema });
    onTestFinished(async () => {
      await store.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    });
    return { store, schema };
  };

  it('never delivers a later commit before an earlier-started append, and never skips it', async () => {
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstWritten!: () => void;
    const firstIsWritten = new Promise<void>((resolve) => {
      firstWritten = resolve;
    });
    const schema = randomSchemaName('gap');
    const store = await createPostgresEventStoreWithHooks(
      client,
      { schema },
      {
        beforeCommit: async (streamId) => {
          if (!streamId.endsWith('-slow')) return;
          firstWritten();
          await firstHeld;
        },
      },
    );
    const prefix = `gap${randomUUID().replaceAll('-', '')}`;
    const subscriber = recordEvents(store, prefix);
    // A failed assertion must not leave the held transaction open and the database undroppable.
    onTestFinished(() => releaseFirst());
    await waitFor(subscriber.isCaughtUp);

    const slow = store.appendToStream(`${prefix}-slow`, [newEvent('Earlier')], {
      expectedRevision: 'no_stream',
    });
    await firstIsWritten;
    const fast = await store.appendToStream(`${prefix}-fast`, [newEvent('Later')], {
      expectedRevision: 'no_stream',
    });
    // The held append began first: its transaction id, and so its position, is lower.
    const readWhileHeld = collect(store.readAll({ filter: { streamPrefixes: [prefix] } }));
    let readFinished = false;
    void readWhileHeld.then(() => {
      readFinished = true;
    });

    await sleep(1_500);
    expect(subscriber.events).toEqual([]);
    expect(readFinished).toBe(false);

    releaseFirst();
    const earlier = await slow;
    expect(earlier.position < fast.position).toBe(true);

    await waitFor(() => subscriber.events.length === 2);
    expect(subscriber.events.map((event) => event.type)).toEqual(['Earlier', 'Later']);
    expect((await readWhileHeld).map((event) => event.type)).toEqual(['Earlier', 'Later']);
    const fromCheckpoint = await collect(
      store.readAll({ fromPosition: earlier.position + 1n, filter: { streamPrefixes: [prefix] } }),
    );
    expect(fromCheckpoint.map((event) => event.type)).toEqual(['Later']);
    await subscriber.stop();
    await store.close();
  });

  it('gives each revision to exactly one of 50 concurrent writers and tells every loser the actual revision', async () => {
    const store = await createPostgresEventStore(client, { schema: randomSchemaName('race') });
    const streamId = `race-${randomUUID()}`;
    await store.appendToStream(streamId, [newEvent('Opened')], { expectedRevision: 'no_stream' });
    const rounds = 8;
    for (let revision = 0n; revision < BigInt(rounds); revision += 1n) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, writer) =>
          store.appendToStream(streamId, [newEvent('Written', { writer })], {
            expectedRevision: revision,
          }),
        ),
      );
      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const losers = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
      );
      expect(losers).toHaveLength(49);
      for (const loser of losers) {
        expect(loser).toBeInstanceOf(ExpectedRevisionConflictError);
        expect(loser).toMatchObject({ expected: revision, actual: revision + 1n });
      }
    }
    const events = await collect(store.readStream(streamId));
    expect(events.map((event) => event.revision)).toEqual(
      Array.from({ length: rounds + 1 }, (_, index) => BigInt(index)),
    );
    await store.close();
  });

  it('lets 50 writers with "any" append concurrently without losing or duplicating a revision', async () => {
    const store = await createPostgresEventStore(client, { schema: randomSchemaName('any') });
    const streamId = `any-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        store.appendToStream(streamId, [newEvent('A'), newEvent('B')], { expectedRevision: 'any' }),
      ),
    );
    const events = await collect(store.readStream(streamId));
    expect(events.map((event) => event.revision)).toEqual(
      Array.from({ length: 100 }, (_, index) => BigInt(index)),
    );
    expect(new Set(results.map((result) => result.nextExpectedRevision)).size).toBe(50);
    const all = await collect(store.readAll({ filter: { streamPrefixes: [streamId] } }));
    expect(all.map((event) => event.id)).toEqual(
      events
        .map((event) => event.id)
        .sort((a, b) => {
          const byId = new Map(all.map((event) => [event.id, event.position]));
          return byId.get(a)! < byId.get(b)! ? -1 : 1;
        }),
    );
    await store.close();
  });

  it('resumes a subscription from its last position after its connections were dropped', async () => {
    const store = await createPostgresEventStore(client, { schema: randomSchemaName('drop') });
    const prefix = `drop${randomUUID().replaceAll('-', '')}`;
    const streamId = `${prefix}-a`;
    await store.appendToStream(streamId, [newEvent('Before')], { expectedRevision: 'no_stream' });
    const subscriber = recordEvents(store, prefix);
    await waitFor(() => subscriber.events.length === 1);

    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await store.appendToStream(streamId, [newEvent('After1'), newEvent('After2')], {
      expectedRevision: 0n,
    });
    await waitFor(() => subscriber.events.length === 3);
    await store.appendToStream(streamId, [newEvent('After3')], { expectedRevision: 2n });
    await waitFor(() => subscriber.events.length === 4);
    expect(subscriber.events.map((event) => event.type)).toEqual([
      'Before',
      'After1',
      'After2',
      'After3',
    ]);
    await subscriber.stop();
    await store.close();
  });

  it('wakes live subscribers by notification rather than by the fallback poll', async () => {
    // The subscriber polls only once an hour and the appends come from another store instance
    // (as from another process): only the NOTIFY after each append can deliver these events.
    const schema = randomSchemaName('live');
    const store = await createPostgresEventStoreWithHooks(
      client,
      { schema },
      { fallbackPollMs: 3_600_000 },
    );
    const appender = await createPostgresEventStore(client, { schema });
    const prefix = `live${randomUUID().replaceAll('-', '')}`;
    const subscriber = recordEvents(store, prefix);
    await waitFor(subscriber.isCaughtUp);
    for (let n = 0; n < 5; n += 1) {
      await appender.appendToStream(`${prefix}-a`, [newEvent('Tick')], {
        expectedRevision: 'any',
      });
      await waitFor(() => subscriber.events.length === n + 1, 30_000);
    }
    expect(subscriber.events.map((event) => event.type)).toEqual(Array(5).fill('Tick'));
    await appender.close();
    await subscriber.stop();
    await store.close();
  });

  it('migrates once when several processes start the store together', async () => {
    const schema = randomSchemaName('start');
    const clients = Array.from({ length: 4 }, () =>
      createPgClient({ connectionString: database.connectionString, max: 2 }),
    );
    const stores = await Promise.all(
      clients.map((each) => createPostgresEventStore(each, { schema })),
    );
    await stores[0]!.appendToStream('start-1', [newEvent('A')], { expectedRevision: 'no_stream' });
    expect(await collect(stores[3]!.readStream('start-1'))).toHaveLength(1);
    const { rows } = await admin.query<{ version: number }>(
      `SELECT version FROM ${schema}.event_store_migrations`,
    );
    expect(rows).toEqual([{ version: 1 }]);
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(clients.map((each) => each.close()));
  });

  it('reads and subscribes across many pages', async () => {
    const store = await createPostgresEventStore(client, { schema: randomSchemaName('pages') });
    const streamId = `pages-${randomUUID()}`;
    const count = 2_345;
    await store.appendToStream(
      streamId,
      Array.from({ length: count }, (_, n) => newEvent(n % 2 === 0 ? 'Even' : 'Odd', { n })),
      { expectedRevision: 'no_stream' },
    );
    const forwards = await collect(store.readStream(streamId));
    expect(forwards.map((event) => event.data['n'])).toEqual(
      Array.from({ length: count }, (_, n) => n),
    );
    const backwards = await collect(store.readStream(streamId, { direction: 'backwards' }));
    expect(backwards.map((event) => event.revision)).toEqual(
      forwards.map((event) => event.revision).reverse(),
    );
    const odd = await collect(store.readAll({ filter: { eventTypes: ['Odd'] } }));
    expect(odd).toHaveLength(Math.floor(count / 2));
    const allBackwards = await collect(store.readAll({ direction: 'backwards', maxCount: 1_500 }));
    expect(allBackwards[0]!.data['n']).toBe(count - 1);
    expect(allBackwards).toHaveLength(1_500);

    const subscription = store.subscribeToAll({
      filter: { eventTypes: ['Even'] },
      checkpointInterval: 1_000,
    });
    let delivered = 0;
    let checkpoints = 0;
    for await (const message of subscription) {
      if (message.type === 'event') delivered += 1;
      if (message.type === 'checkpoint') checkpoints += 1;
      if (message.type === 'caught-up') break;
    }
    expect(delivered).toBe(Math.ceil(count / 2));
    expect(checkpoints).toBe(2);

    // In pages, as read: the events of each 1,000 read at once, the last page saying it caught up.
    const paged = store.subscribeToAll({ filter: { eventTypes: ['Odd'] } });
    const pages = paged.pages();
    const eventsPerPage: number[] = [];
    for (let page = await pages.next(); page.done !== true; page = await pages.next()) {
      eventsPerPage.push(page.value.filter((message) => message.type === 'event').length);
      if (page.value.at(-1)?.type === 'caught-up') break;
    }
    expect(eventsPerPage).toEqual([500, 500, 172]);
    await paged.close();
    await store.close();
  });

  it('hands on nothing more once closed, not even the rest of the page in hand', async () => {
    const store = await createPostgresEventStore(client, { schema: randomSchemaName('close') });
    await store.appendToStream(
      `close-${randomUUID()}`,
      Array.from({ length: 10 }, () => newEvent('Counted')),
      { expectedRevision: 'no_stream' },
    );
    const subscription = store.subscribeToAll();
    const messages = subscription[Symbol.asyncIterator]();
    expect((await messages.next()).value).toMatchObject({ type: 'event' });
    await subscription.close();
    expect(await messages.next()).toEqual({ done: true, value: undefined });
    await store.close();
  });

  it('gives each event the time it was stored, to the millisecond, whether read or subscribed', async () => {
    const { store, schema } = await storeOfItsOwn('clock');
    const streamId = `clock-${randomUUID()}`;
    await store.appendToStream(streamId, [newEvent('Ticked'), newEvent('Ticked')], {
      expectedRevision: 'no_stream',
    });
    // Times the database keeps to the microsecond, before and after 1970, and at a whole second.
    const stored = [
      '2026-11-29 07:35:15.123999+00',
      '1969-12-31 23:59:59.999500+00',
      '2001-05-19 10:30:00+00',
    ];
    await admin.query(
      `UPDATE ${schema}.events SET stored_at = ($2::text[])[revision + 1]::timestamptz
        WHERE stream_id = $1`,
      [streamId, stored.slice(0, 2)],
    );
    await store.appendToStream(streamId, [newEvent('Ticked')], { expectedRevision: 'any' });
    await admin.query(
      `UPDATE ${schema}.events SET stored_at = $2::timestamptz WHERE stream_id = $1 AND revision = 2`,
      [streamId, stored[2] ?? ''],
    );
    const expected = [
      '2026-11-29T07:35:15.123Z',
      '1969-12-31T23:59:59.999Z',
      '2001-05-19T10:30:00.000Z',
    ];
    const read = await collect(store.readStream(streamId));
    expect(read.map((event) => event.storedAt.toISOString())).toEqual(expected);
    const all = (await collect(store.readAll())).filter((event) => event.streamId === streamId);
    expect(all.map((event) => event.storedAt.toISOString())).toEqual(expected);
    const subscribed = recordEvents(store, 'clock-');
    await waitFor(() => subscribed.events.length === 3);
    await subscribed.stop();
    expect(subscribed.events.map((event) => event.storedAt.toISOString())).toEqual(expected);
    // As the driver's own parsing of the timestamps gives them.
    const { rows } = await admin.query<{ stored_at: Date }>(
      `SELECT stored_at FROM ${schema}.events WHERE stream_id = $1 ORDER BY revision`,
      [streamId],
    );
    expect(rows.map((row) => row.stored_at.toISOString())).toEqual(expected);
  });

  it('reads each page once for subscriptions catching up together, each still getting every event', async () => {
    // Counts the page reads of subscriptions (the only statements with a LATERAL filter).
    let pageReads = 0;
    const counting: SqlClient = {
      ...client,
      query: (text, params) => {
        if (text.includes('LATERAL')) pageReads += 1;
        return client.query(text, params);
      },
    };
    const { store } = await storeOfItsOwn('shared', counting);
    const count = 5_500;
    for (let stream = 0; stream < 11; stream += 1) {
      await store.appendToStream(
        `shared-${stream}`,
        Array.from({ length: count / 11 }, (_, n) => newEvent('Counted', { n })),
        { expectedRevision: 'no_stream' },
      );
    }
    const catchUp = async (filter: { streamPrefixes: string[] }) => {
      const positions: bigint[] = [];
      for await (const message of store.subscribeToAll({ filter })) {
        if (message.type === 'event') positions.push(message.event.position);
        if (message.type === 'caught-up') break;
      }
      return positions;
    };
    const [first, second] = await Promise.all([
      catchUp({ streamPrefixes: ['shared-'] }),
      catchUp({ streamPrefixes: ['shared-'] }),
    ]);
    expect(first).toHaveLength(count);
    expect(second).toEqual(first);
    expect([...first].sort((a, b) => (a < b ? -1 : 1))).toEqual(first);
    // Six pages of 1,000 for both, not 12 reads: the five full ones once, and the last, partial
    // one once or by each, as they happen to ask for it.
    expect(pageReads).toBeGreaterThanOrEqual(6);
    expect(pageReads).toBeLessThanOrEqual(7);
    // Another filter reads the log for itself.
    pageReads = 0;
    expect(await catchUp({ streamPrefixes: ['shared-1'] })).toHaveLength(count / 11 + count / 11);
    expect(pageReads).toBe(6);
  });

  it('reads what a filter keeps from any position, forwards and backwards, past pages of others', async () => {
    const { store } = await storeOfItsOwn('filtered');
    for (let stream = 0; stream < 4; stream += 1) {
      await store.appendToStream(
        `filtered-${stream}`,
        Array.from({ length: 1_200 }, (_, n) => newEvent('Counted', { n })),
        { expectedRevision: 'no_stream' },
      );
    }
    const all = await collect(store.readAll());
    expect(all).toHaveLength(4_800);
    // From the middle of the second stream: more than a page of others before the first kept.
    const from = all[1_500]!.position;
    const last = { streamPrefixes: ['filtered-3'] };
    const sample = await collect(store.readAll({ fromPosition: from, maxCount: 10, filter: last }));
    expect(sample.map((event) => event.data['n'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sample.every((event) => event.streamId === 'filtered-3')).toBe(true);
    const first = { streamPrefixes: ['filtered-0'] };
    const backwards = await collect(
      store.readAll({ direction: 'backwards', maxCount: 3, filter: first }),
    );
    expect(backwards.map((event) => event.data['n'])).toEqual([1_199, 1_198, 1_197]);
    const fromPosition = all[2_000]!.position;
    expect(
      await collect(store.readAll({ direction: 'backwards', fromPosition, filter: first })),
    ).toEqual(all.slice(0, 1_200).reverse());
    expect(
      await collect(store.readAll({ fromPosition: all.at(-1)!.position + 1n, filter: last })),
    ).toEqual([]);
  });

  it('refuses an unsafe schema name and reports an unreachable database as unavailable', async () => {
    await expect(createPostgresEventStore(client, { schema: 'x; DROP' })).rejects.toBeInstanceOf(
      TypeError,
    );
    const unreachable = createPgClient({ connectionString: 'postgres://postgres@127.0.0.1:1/x' });
    await expect(createPostgresEventStore(unreachable)).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    await unreachable.close();
  });
});

describe('PostgreSQL event store on PGlite', () => {
  it('keeps its events in a data directory across restarts', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = await mkdtemp(join(tmpdir(), 'twinning-pglite-'));
    try {
      const first = await createPGliteClient({ dataDir });
      const store = await createPostgresEventStore(first);
      const appended = await store.appendToStream('agreement-1', [newEvent('AgreementProposed')], {
        expectedRevision: 'no_stream',
      });
      await store.close();
      await first.close();

      const second = await createPGliteClient({ dataDir });
      const reopened = await createPostgresEventStore(second);
      const events = await collect(reopened.readAll());
      expect(events.map((event) => [event.type, event.position])).toEqual([
        ['AgreementProposed', appended.position],
      ]);
      await reopened.close();
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
