import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  GENESIS_HASH,
  PartialDuplicateAppendError,
  assertExpectedRevision,
  assertValidAppend,
  chainHash,
  messagesOf,
  type AppendOptions,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type EventToAppend,
  type JsonObject,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  type SubscriptionMessage,
} from '@twinning/event-store';
import {
  SqlError,
  SqlState,
  runMigrations,
  type SqlClient,
  type SqlParam,
  type SqlTransaction,
} from '@twinning/sql';
import { eventStoreMigrations, maxEventsPerAppend, positionShift } from './schema.js';
import { SharedPages, type PageOf, type PageReader } from './shared-pages.js';

export interface PostgresEventStoreOptions {
  /** Schema of the event store tables, created if missing. Default `event_store`. */
  readonly schema?: string;
}

/** Seams for tests that must hold an append open at a precise point. Not part of the API. */
export interface PostgresEventStoreTestHooks {
  /** Runs inside the append transaction after the events are written, before COMMIT. */
  readonly beforeCommit?: (streamId: string) => Promise<void>;
  /** How long a live subscription waits for a notification before it polls anyway. */
  readonly fallbackPollMs?: number;
}

const defaultSchema = 'event_store';
const readPageSize = 1000;
/** Above every position (int8's largest value): where reading backwards starts. */
const maxPosition = 9_223_372_036_854_775_807n;
/** Full pages kept for the store's other subscriptions (about 1,000 events each). */
const sharedPageCapacity = 16;
/** Longest a subscription ahead waits, a page, for one behind to read a kept page. */
const sharedPageMaxWaitMs = 500;
const defaultCheckpointInterval = 1000;
/** Bounds the wait for a missed or lost notification. */
const defaultFallbackPollMs = 1000;
/** How soon a subscription held back by a still-open append looks again. */
const horizonRetryMs = 25;
const appendAttempts = 5;
const schemaPattern = /^[a-z_][a-z0-9_]{0,50}$/;

interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  /** Milliseconds since the epoch, as a decimal string (see `storedAtMillis`). */
  stored_at: string;
  prev_hash: string;
  hash: string;
}

/** A subscription page row: payload columns are only filled for events the filter keeps. */
interface ScannedRow extends Omit<
  EventRow,
  'data' | 'metadata' | 'stored_at' | 'prev_hash' | 'hash' | 'event_id'
> {
  matches: boolean;
  event_id: string | null;
  data: JsonObject | null;
  metadata: JsonObject | null;
  stored_at: string | null;
  prev_hash: string | null;
  hash: string | null;
}

/**
 * `stored_at` as whole milliseconds since the epoch (what a `Date` holds), which is much cheaper to
 * turn into a `Date` than the timestamp's text. Rounded down, as parsing the text does.
 */
const storedAtMillis = 'floor(extract(epoch FROM e.stored_at) * 1000)::int8::text';

/** Selected from `events AS e`; ORDER BY must name `e.` columns, not these text aliases. */
const eventColumns = `e.position::text AS position, e.stream_id, e.revision::text AS revision, e.event_id::text AS event_id, e.type, e.data, e.metadata, ${storedAtMillis} AS stored_at, e.prev_hash, e.hash`;

const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  streamId: row.stream_id,
  type: row.type,
  data: row.data,
  metadata: row.metadata,
  revision: BigInt(row.revision),
  position: BigInt(row.position),
  storedAt: new Date(Number(row.stored_at)),
  prevHash: row.prev_hash,
  hash: row.hash,
});

const unavailable = (error: unknown): Error =>
  error instanceof SqlError
    ? new EventStoreUnavailableError(`event store: ${error.message}`, { cause: error })
    : error instanceof Error
      ? error
      : new Error(String(error));

/** Failures a new transaction can resolve: a racing writer won, or the connection dropped. */
const isRetryable = (error: unknown): boolean =>
  error instanceof SqlError &&
  (error.code === SqlState.uniqueViolation ||
    error.code === SqlState.deadlockDetected ||
    error.code === SqlState.serializationFailure ||
    error.connectionLost);

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

const assertMaxCount = (maxCount: number | undefined): void => {
  if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) {
    throw new TypeError('maxCount must be a non-negative integer');
  }
};

/**
 * A page of the log in position order with the filter applied per row rather than in WHERE, so
 * the plan is always an ordered scan of the position index that stops at the limit, whatever the
 * planner believes of the filter (a believed-rare filter would otherwise have it fetch and sort
 * every event after the start). Payload columns are filled only for the events kept.
 */
const scannedPageSql = (
  events: string,
  filterSql: string,
  positionCondition: string,
  direction: 'ASC' | 'DESC',
): string => `SELECT e.position::text AS position, e.stream_id, e.revision::text AS revision, e.type,
        m.matches,
        CASE WHEN m.matches THEN e.event_id::text END AS event_id,
        CASE WHEN m.matches THEN e.data END AS data,
        CASE WHEN m.matches THEN e.metadata END AS metadata,
        CASE WHEN m.matches THEN ${storedAtMillis} END AS stored_at,
        CASE WHEN m.matches THEN e.prev_hash END AS prev_hash,
        CASE WHEN m.matches THEN e.hash END AS hash
   FROM ${events} AS e, LATERAL (SELECT ${filterSql} AS matches) AS m
  WHERE ${positionCondition} AND e.position < ${safeHorizonSql}
  ORDER BY e.position ${direction} LIMIT $2`;

/** SQL for an EventFilter, with its parameters numbered from `firstParam`. */
const filterCondition = (
  filter: EventFilter | undefined,
  firstParam: number,
): { sql: string; params: SqlParam[] } => {
  const conditions: string[] = [];
  const params: SqlParam[] = [];
  if (filter?.streamPrefixes !== undefined && filter.streamPrefixes.length > 0) {
    // As LIKE patterns, `%`, `_` and the backslash escaped: PostgreSQL matches these more
    // cheaply per row than a subquery over the prefixes.
    params.push(filter.streamPrefixes.map((prefix) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`));
    conditions.push(`e.stream_id LIKE ANY ($${firstParam + params.length - 1}::text[])`);
  }
  if (filter?.eventTypes !== undefined && filter.eventTypes.length > 0) {
    params.push([...filter.eventTypes]);
    conditions.push(`e.type = ANY($${firstParam + params.length - 1}::text[])`);
  }
  return { sql: conditions.length === 0 ? 'true' : conditions.join(' AND '), params };
};

/** Everything under this position was written by a transaction that has ended. */
const safeHorizonSql = `(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << ${positionShift})`;

export const createPostgresEventStoreWithHooks = async (
  client: SqlClient,
  options: PostgresEventStoreOptions,
  hooks: PostgresEventStoreTestHooks,
): Promise<EventStore> => {
  const schema = options.schema ?? defaultSchema;
  if (!schemaPattern.test(schema)) {
    throw new TypeError(
      `Invalid schema ${JSON.stringify(schema)}: use lower-case letters, digits and _`,
    );
  }
  try {
    await runMigrations(client, {
      name: 'event_store',
      schema,
      migrations: eventStoreMigrations(schema),
    });
  } catch (error) {
    throw unavailable(error);
  }

  const events = `"${schema}".events`;
  const streams = `"${schema}".streams`;
  const channel = `${schema}_appended`;
  const openSubscriptions = new Set<Subscription>();
  /** What a subscription page gives: each position read, with its event where the filter keeps it. */
  interface PageItem {
    readonly position: bigint;
    readonly event: RecordedEvent | undefined;
  }
  const sharedPages = new SharedPages<PageItem>({
    capacity: sharedPageCapacity,
    maxWaitMs: sharedPageMaxWaitMs,
  });
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new EventStoreUnavailableError('the event store is closed');
  };

  // ---- stream heads --------------------------------------------------------------------------

  /**
   * The last revision and hash this instance wrote or read for recently used streams. Only a
   * hint: an append on a stale head fails its condition and takes the full path.
   */
  interface StreamHead {
    readonly revision: bigint;
    readonly hash: string;
  }
  const heads = new Map<string, StreamHead>();
  const maxRememberedHeads = 10_000;
  const rememberHead = (streamId: string, head: StreamHead): void => {
    heads.delete(streamId);
    heads.set(streamId, head);
    if (heads.size > maxRememberedHeads) {
      const oldest = heads.keys().next();
      if (oldest.done !== true) heads.delete(oldest.value);
    }
  };
  const forgetHead = (streamId: string): void => {
    heads.delete(streamId);
  };

  // ---- announcing appends -------------------------------------------------------------------

  /** Wakes this process's own subscriptions at once; others hear the NOTIFY. */
  const localWakers = new Set<() => void>();
  let notifying = false;
  let notifyAgain = false;

  /**
   * Tells subscribers that events were committed. The NOTIFY is sent after COMMIT, not inside the
   * append transaction: a notifying commit holds PostgreSQL's notification queue lock until it is
   * flushed, which would serialise concurrent appends and defeat group commit. Notifications
   * coalesce: while one is in flight, any number of appends cause one more, never a queue. A lost
   * notification only delays a subscriber until its fallback poll.
   */
  const announceAppend = (): void => {
    for (const wakeLocal of localWakers) wakeLocal();
    // Only one process can own a PGlite database: its subscribers are all local.
    if (client.dialect === 'pglite') return;
    if (notifying) {
      notifyAgain = true;
      return;
    }
    notifying = true;
    void (async () => {
      try {
        do {
          notifyAgain = false;
          await client.query('SELECT pg_notify($1, $2)', [channel, '']);
        } while (notifyAgain && !closed);
      } catch {
        // Subscribers poll as a fallback; a failed notification is not an append failure.
      } finally {
        notifying = false;
      }
    })();
  };

  // ---- appending ----------------------------------------------------------------------------

  interface ExistingEvent {
    event_id: string;
    stream_id: string;
    revision: string;
    position: string;
  }

  const existingEventsSql = `SELECT coalesce(json_agg(json_build_object(
      'event_id', e.event_id::text, 'stream_id', e.stream_id,
      'revision', e.revision::text, 'position', e.position::text)), '[]'::json)
    FROM ${events} AS e WHERE e.event_id = ANY($2::uuid[])`;

  /** Resolves an append whose ids the store already holds: a retry, or one of the two errors. */
  const earlierResult = (
    existing: readonly ExistingEvent[],
    streamId: string,
    toAppend: readonly EventToAppend[],
  ): AppendResult | undefined => {
    if (existing.length === 0) return undefined;
    const elsewhere = existing.find((row) => row.stream_id !== streamId);
    if (elsewhere !== undefined) {
      throw new DuplicateEventIdError(elsewhere.event_id, streamId, elsewhere.stream_id);
    }
    if (existing.length < toAppend.length) {
      const found = new Set(existing.map((row) => row.event_id));
      throw new PartialDuplicateAppendError(
        streamId,
        toAppend.map((event) => event.id).filter((id) => found.has(id.toLowerCase())),
      );
    }
    const last = existing.reduce((latest, row) =>
      BigInt(row.revision) > BigInt(latest.revision) ? row : latest,
    );
    return { nextExpectedRevision: BigInt(last.revision), position: BigInt(last.position) };
  };

  /** The events as rows, each hashed onto the one before it. */
  const chainEvents = (
    streamId: string,
    toAppend: readonly EventToAppend[],
    firstRevision: bigint,
    firstPrevHash: string,
  ) => {
    let prevHash = firstPrevHash;
    let revision = firstRevision;
    const rows = toAppend.map((event, index) => {
      const hash = chainHash(prevHash, {
        streamId,
        revision,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      });
      const row = {
        idx: index,
        revision: revision.toString(),
        event_id: event.id,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        prev_hash: prevHash,
        hash,
      };
      prevHash = hash;
      revision += 1n;
      return row;
    });
    return { rows, lastRevision: revision - 1n, lastHash: prevHash };
  };

  /** Writes the chained rows in `$2`; `source` names a relation with the stream's `stream_id`. */
  const insertEventsSql = (source: string): string =>
    `INSERT INTO ${events} (position, stream_id, revision, event_id, type, data, metadata, prev_hash, hash)
     SELECT (pg_current_xact_id()::text::bigint << ${positionShift}) + e.idx,
            stream.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata, e.prev_hash, e.hash
       FROM ${source}, jsonb_to_recordset($2::jsonb) AS e(
              idx bigint, revision bigint, event_id uuid, type text, data jsonb, metadata jsonb,
              prev_hash text, hash text)
     RETURNING position`;

  const appendOnce = async (
    tx: SqlTransaction,
    streamId: string,
    toAppend: readonly EventToAppend[],
    appendOptions: AppendOptions,
  ): Promise<AppendResult> => {
    const eventIds = toAppend.map((event) => event.id);
    // One round trip: the row lock serialises writers of one stream (a new stream is guarded by
    // the unique keys), and the ids already stored make a retry idempotent.
    const { rows: checked } = await tx.query<{
      stream: { revision: string; last_hash: string } | null;
      existing: ExistingEvent[];
    }>(
      `SELECT (SELECT json_build_object('revision', s.revision::text, 'last_hash', s.last_hash)
                 FROM ${streams} AS s WHERE s.stream_id = $1 FOR UPDATE) AS stream,
              (${existingEventsSql}) AS existing`,
      [streamId, eventIds],
    );
    const current = checked[0]?.stream ?? undefined;
    const retried = earlierResult(checked[0]?.existing ?? [], streamId, toAppend);
    if (retried !== undefined) return retried;

    const actual = current === undefined ? 'no_stream' : BigInt(current.revision);
    try {
      assertExpectedRevision(streamId, appendOptions.expectedRevision, actual);
    } catch (conflict) {
      // The ids were read in the snapshot taken before waiting for the lock; a racing original
      // of this very append may have committed meanwhile, and a retry must get its result.
      const { rows: recheck } = await tx.query<{ existing: ExistingEvent[] }>(
        `SELECT (${existingEventsSql}) AS existing WHERE $1::text IS NOT NULL`,
        [streamId, eventIds],
      );
      const original = earlierResult(recheck[0]?.existing ?? [], streamId, toAppend);
      if (original !== undefined) return original;
      throw conflict;
    }

    const chained = chainEvents(
      streamId,
      toAppend,
      actual === 'no_stream' ? 0n : actual + 1n,
      current?.last_hash ?? GENESIS_HASH,
    );
    const { rows: written } = await tx.query<{ position: string }>(
      `WITH appended AS (${insertEventsSql('(SELECT $1::text AS stream_id) AS stream')}),
       stream AS (
         INSERT INTO ${streams} (stream_id, revision, last_hash) VALUES ($1, $3, $4)
         ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision, last_hash = EXCLUDED.last_hash
       )
       SELECT max(position)::text AS position FROM appended`,
      [streamId, JSON.stringify(chained.rows), chained.lastRevision, chained.lastHash],
    );
    const position = written[0]?.position;
    if (position === undefined) throw new Error('append wrote no events');
    await hooks.beforeCommit?.(streamId);
    rememberHead(streamId, { revision: chained.lastRevision, hash: chained.lastHash });
    return { nextExpectedRevision: chained.lastRevision, position: BigInt(position) };
  };

  /**
   * One statement, no explicit transaction, when this instance knows the stream's head (it wrote
   * or read it last): the stream row moves only if it still has the revision and hash the events
   * were chained from, and the events are written only if it moved. Anything unexpected (a
   * stale head, a repeated event id, a lost connection) returns `undefined` and the append takes
   * the full path, which decides conflicts, retries and idempotency.
   */
  const appendOnKnownHead = async (
    streamId: string,
    toAppend: readonly EventToAppend[],
    expectedRevision: AppendOptions['expectedRevision'],
  ): Promise<AppendResult | undefined> => {
    const head = heads.get(streamId);
    const newStream = expectedRevision === 'no_stream';
    if (!newStream) {
      if (head === undefined) return undefined;
      if (typeof expectedRevision === 'bigint' && expectedRevision !== head.revision) {
        return undefined;
      }
    }
    const chained = chainEvents(
      streamId,
      toAppend,
      newStream || head === undefined ? 0n : head.revision + 1n,
      newStream || head === undefined ? GENESIS_HASH : head.hash,
    );
    const moveStream = newStream
      ? `INSERT INTO ${streams} (stream_id, revision, last_hash) VALUES ($1, $3, $4)
         ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id`
      : `UPDATE ${streams} SET revision = $3, last_hash = $4
          WHERE stream_id = $1 AND revision = $5 AND last_hash = $6 RETURNING stream_id`;
    const params: SqlParam[] = [
      streamId,
      JSON.stringify(chained.rows),
      chained.lastRevision,
      chained.lastHash,
    ];
    if (!newStream && head !== undefined) params.push(head.revision, head.hash);
    let position: string | null | undefined;
    try {
      const { rows } = await client.query<{ position: string | null }>(
        `WITH stream AS (${moveStream}), appended AS (${insertEventsSql('stream')})
         SELECT max(position)::text AS position FROM appended`,
        params,
      );
      position = rows[0]?.position;
    } catch {
      forgetHead(streamId);
      return undefined;
    }
    if (position === null || position === undefined) {
      forgetHead(streamId);
      return undefined;
    }
    rememberHead(streamId, { revision: chained.lastRevision, hash: chained.lastHash });
    return { nextExpectedRevision: chained.lastRevision, position: BigInt(position) };
  };

  const appendToStream = async (
    streamId: string,
    toAppend: readonly EventToAppend[],
    appendOptions: AppendOptions,
  ): Promise<AppendResult> => {
    assertOpen();
    assertValidAppend(streamId, toAppend, appendOptions);
    if (toAppend.length > maxEventsPerAppend) {
      throw new TypeError(`an append holds at most ${maxEventsPerAppend} events`);
    }
    if (hooks.beforeCommit === undefined) {
      const appended = await appendOnKnownHead(streamId, toAppend, appendOptions.expectedRevision);
      if (appended !== undefined) {
        announceAppend();
        return appended;
      }
    }
    // A retry is safe even when a lost connection hid a successful COMMIT: the event ids make
    // the second attempt return the first one's result.
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await client.transaction((tx) =>
          appendOnce(tx, streamId, toAppend, appendOptions),
        );
        announceAppend();
        return result;
      } catch (error) {
        if (attempt >= appendAttempts || !isRetryable(error)) throw unavailable(error);
        if (error instanceof SqlError && error.connectionLost) await sleep(50 * 2 ** attempt);
      }
    }
  };

  // ---- reading ------------------------------------------------------------------------------

  /**
   * Waits until every transaction that was running when the read began has ended, so a read of
   * the global order includes every append that returned before it (read your writes).
   */
  const awaitRunningWriters = async (): Promise<void> => {
    const { rows } = await client.query<{ horizon: string }>(
      'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS horizon',
    );
    const horizon = rows[0]?.horizon ?? '0';
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      const { rows: ready } = await client.query<{ ready: boolean }>(
        'SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8 AS ready',
        [horizon],
      );
      if (ready[0]?.ready === true) return;
      await sleep(delay);
    }
  };

  async function* readStream(
    streamId: string,
    readOptions: ReadStreamOptions = {},
  ): AsyncGenerator<RecordedEvent> {
    assertOpen();
    assertMaxCount(readOptions.maxCount);
    const backwards = readOptions.direction === 'backwards';
    let remaining = readOptions.maxCount ?? Number.POSITIVE_INFINITY;
    let from = readOptions.fromRevision;
    while (remaining > 0) {
      const limit = Math.min(remaining, readPageSize);
      const condition =
        from === undefined ? 'true' : backwards ? 'e.revision <= $3' : 'e.revision >= $3';
      const params: SqlParam[] = [streamId, limit];
      if (from !== undefined) params.push(from);
      let page: EventRow[];
      try {
        ({ rows: page } = await client.query<EventRow>(
          `SELECT ${eventColumns} FROM ${events} AS e
            WHERE e.stream_id = $1 AND ${condition}
            ORDER BY e.revision ${backwards ? 'DESC' : 'ASC'} LIMIT $2`,
          params,
        ));
      } catch (error) {
        throw unavailable(error);
      }
      const lastRow = page.at(-1);
      // A forward read that ran out of events has seen the stream's head: the next append to
      // it can take the one-statement path.
      if (!backwards && page.length < limit && lastRow !== undefined) {
        rememberHead(streamId, { revision: BigInt(lastRow.revision), hash: lastRow.hash });
      }
      for (const row of page) yield toRecordedEvent(row);
      if (page.length < limit) return;
      remaining -= page.length;
      const last = BigInt(lastRow?.revision ?? '0');
      from = backwards ? last - 1n : last + 1n;
      if (from < 0n) return;
    }
  }

  async function* readAll(readOptions: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    assertOpen();
    assertMaxCount(readOptions.maxCount);
    const backwards = readOptions.direction === 'backwards';
    let remaining = readOptions.maxCount ?? Number.POSITIVE_INFINITY;
    const filter = filterCondition(readOptions.filter, 3);
    const filtered = filter.params.length > 0;
    const sql = scannedPageSql(
      events,
      filter.sql,
      backwards ? 'e.position <= $1::bigint' : 'e.position >= $1::bigint',
      backwards ? 'DESC' : 'ASC',
    );
    let from = readOptions.fromPosition ?? (backwards ? maxPosition : 0n);
    try {
      await awaitRunningWriters();
    } catch (error) {
      throw unavailable(error);
    }
    while (remaining > 0) {
      // Without a filter every row counts; with one, whole pages are scanned for the kept rows.
      const limit = filtered ? readPageSize : Math.min(remaining, readPageSize);
      let page: ScannedRow[];
      try {
        ({ rows: page } = await client.query<ScannedRow>(sql, [from, limit, ...filter.params]));
      } catch (error) {
        throw unavailable(error);
      }
      for (const row of page) {
        if (!row.matches) continue;
        yield toRecordedEvent(row as EventRow);
        remaining -= 1;
        if (remaining === 0) return;
      }
      if (page.length < limit) return;
      const last = BigInt(page.at(-1)?.position ?? '0');
      from = backwards ? last - 1n : last + 1n;
    }
  }

  // ---- subscriptions ------------------------------------------------------------------------

  const subscribeToAll = (subscribeOptions: SubscribeToAllOptions = {}): Subscription => {
    assertOpen();
    const interval = subscribeOptions.checkpointInterval ?? defaultCheckpointInterval;
    if (!Number.isInteger(interval) || interval < 1) {
      throw new TypeError('checkpointInterval must be a positive integer');
    }
    const fromPosition = subscribeOptions.fromPosition ?? 'start';
    const filter = filterCondition(subscribeOptions.filter, 3);
    let subscriptionClosed = false;
    let wake: (() => void) | undefined;
    let stopListening: (() => Promise<void>) | undefined;

    // An append announced while a page was being read must not wait for the fallback poll.
    let announcedWhileReading = false;

    const waitForAppend = (): Promise<void> =>
      new Promise((resolve) => {
        if (announcedWhileReading) {
          announcedWhileReading = false;
          resolve();
          return;
        }
        const timer = setTimeout(() => wake?.(), hooks.fallbackPollMs ?? defaultFallbackPollMs);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });

    const wakeLocal = (): void => {
      if (wake === undefined) announcedWhileReading = true;
      else wake();
    };
    localWakers.add(wakeLocal);

    const listen = async (): Promise<void> => {
      if (stopListening !== undefined) return;
      // Without a listener the fallback poll still finds new events, only later.
      stopListening = await client.listen(channel, wakeLocal).catch(() => undefined);
    };

    /** Runs a read until it succeeds: a lost connection is retried from the same position. */
    const resilient = async <T>(read: () => Promise<T>): Promise<T> => {
      for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
        try {
          return await read();
        } catch (error) {
          if (!(error instanceof SqlError && error.connectionLost) || subscriptionClosed) {
            throw unavailable(error);
          }
          await sleep(delay);
        }
      }
    };

    const scanPageSql = scannedPageSql(events, filter.sql, 'e.position > $1', 'ASC');
    const scanPage = (after: bigint) =>
      client.query<ScannedRow>(scanPageSql, [after, readPageSize, ...filter.params]);

    /** Subscriptions with the same filter share the pages they read (see `SharedPages`). */
    const pageGroup = JSON.stringify(subscribeOptions.filter ?? {});
    const readPage = async (after: bigint): Promise<PageOf<PageItem>> => {
      const { rows } = await resilient(() => scanPage(after));
      return {
        items: rows.map((row) => ({
          position: BigInt(row.position),
          event: row.matches ? toRecordedEvent(row as EventRow) : undefined,
        })),
        full: rows.length === readPageSize,
      };
    };

    const committedBeyondHorizon = async (after: bigint): Promise<boolean> => {
      const { rows } = await client.query<{ waiting: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${events} WHERE position > $1) AS waiting`,
        [after],
      );
      return rows[0]?.waiting === true;
    };

    let reader: PageReader | undefined;
    /** A page of the log read at once is handed on as one page of messages. */
    async function* pages(): AsyncGenerator<readonly SubscriptionMessage[]> {
      try {
        await listen();
        let last: bigint;
        let lastConsidered: bigint | undefined;
        if (fromPosition === 'end') {
          const { rows } = await resilient(async () => {
            await awaitRunningWriters();
            return client.query<{ horizon: string; position: string | null }>(
              `SELECT h.horizon::text AS horizon,
                      (SELECT max(position) FROM ${events} WHERE position < h.horizon)::text AS position
                 FROM (SELECT ${safeHorizonSql} AS horizon) AS h`,
            );
          });
          const row = rows[0];
          last = BigInt(row?.horizon ?? '0') - 1n;
          lastConsidered = row?.position == null ? undefined : BigInt(row.position);
        } else {
          await resilient(awaitRunningWriters);
          last = fromPosition === 'start' ? -1n : fromPosition;
          lastConsidered = fromPosition === 'start' ? undefined : fromPosition;
        }

        let sinceCheckpoint = 0;
        let caughtUp = false;
        reader = sharedPages.join(pageGroup, last);
        while (!subscriptionClosed && !closed) {
          const page = await sharedPages.page(reader, last, () => readPage(last));
          if (subscriptionClosed) return;
          const delivered: SubscriptionMessage[] = [];
          for (const item of page.items) {
            last = item.position;
            lastConsidered = last;
            sinceCheckpoint += 1;
            if (item.event !== undefined) delivered.push({ type: 'event', event: item.event });
            if (sinceCheckpoint >= interval) {
              sinceCheckpoint = 0;
              delivered.push({ type: 'checkpoint', position: last });
            }
          }
          const reachesTheEnd = !page.full && !caughtUp;
          if (reachesTheEnd) {
            caughtUp = true;
            delivered.push({ type: 'caught-up', position: lastConsidered });
          }
          if (delivered.length > 0) yield delivered;
          if (page.full || reachesTheEnd) continue;
          if (await resilient(() => committedBeyondHorizon(last))) {
            // An older append is still open: what is already committed after it shows once it
            // ends, which no notification announces. Look again shortly.
            await sleep(horizonRetryMs);
            continue;
          }
          await waitForAppend();
          await listen();
        }
      } finally {
        await release();
      }
    }

    /** Ends the subscription's hold on the store: its shared pages, wake-ups and listener. */
    const release = async (): Promise<void> => {
      subscriptionClosed = true;
      if (reader !== undefined) sharedPages.leave(reader);
      localWakers.delete(wakeLocal);
      openSubscriptions.delete(subscription);
      const stop = stopListening;
      stopListening = undefined;
      await stop?.().catch(() => undefined);
    };

    const pageIterator = pages();
    const iterator = messagesOf(pageIterator, () => subscriptionClosed);
    const subscription: Subscription = {
      [Symbol.asyncIterator]: () => iterator,
      pages: () => pageIterator,
      close: async () => {
        subscriptionClosed = true;
        wake?.();
        await release();
      },
    };
    openSubscriptions.add(subscription);
    return subscription;
  };

  return {
    appendToStream,
    readStream,
    readAll,
    subscribeToAll,
    ping: async () => {
      assertOpen();
      try {
        await client.query('SELECT 1');
      } catch (error) {
        throw unavailable(error);
      }
    },
    /** Ends the subscriptions; the SqlClient belongs to the caller and stays open. */
    close: async () => {
      closed = true;
      await Promise.all([...openSubscriptions].map((subscription) => subscription.close()));
    },
  };
};
