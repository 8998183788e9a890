import type {
  AllStreamResolvedEvent,
  ReadAllOptions as EsdbReadAllOptions,
} from '@eventstore/db-client';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  jsonEvent,
} from '@eventstore/db-client';
import {
  assertValidAppend,
  DuplicateEventIdError,
  EventStoreUnavailableError,
  ExpectedRevisionConflictError,
  GENESIS_HASH,
  PartialDuplicateAppendError,
} from '@twinning/event-store';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
} from '@twinning/event-store';
import { normaliseConnectionString } from './connection-string.js';
import { InvalidConnectionStringError, UnreadableEventError } from './errors.js';
import {
  decodeRecordedEvent,
  encodeEvent,
  normaliseEventId,
  validateEventToAppend,
} from './event-encoding.js';
import { matchesEventFilter } from './event-filter.js';
import {
  isStreamNotFound,
  isWrongExpectedVersion,
  translateEsdbError,
} from './error-translation.js';
import { openEsdbSubscription } from './esdb-subscription.js';
import type { ResubscribeBackoff } from './esdb-subscription.js';
import { fromEsdbCommitPosition, fromEsdbPosition, toEsdbPosition } from './position.js';

export interface EsdbEventStoreOptions {
  /** `esdb://host:2113?tls=false`, `esdb+discover://…`, or the `kurrentdb://` equivalents. */
  readonly connectionString: string;
  /**
   * Appends with `'any'` or `'stream_exists'` are turned into appends at the exact revision just
   * read, so the hash chain cannot fork; when another writer wins the race they read again, at
   * most this many times in all. Default 5.
   */
  readonly maxAppendAttempts?: number;
  /** Pause before resubscribing after a dropped connection, doubling up to `maxMs`. */
  readonly resubscribeBackoff?: ResubscribeBackoff;
  /** Deadline of `ping()`. Default 5000 ms. */
  readonly pingTimeoutMs?: number;
  /**
   * ESDB keeps no index of event ids, so an id reused in another stream would go unnoticed. With
   * this on (the default) every event id is first claimed in a stream of its own
   * (`twinning-event-id-<id>`), which costs one small extra append per event.
   */
  readonly claimEventIds?: boolean;
}

/** The part of the client the store uses; a narrower type keeps fakes honest in tests. */
export type EsdbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'
>;

export type EsdbStoreSettings = Omit<EsdbEventStoreOptions, 'connectionString'>;

const defaultMaxAppendAttempts = 5;
const defaultBackoff: ResubscribeBackoff = { initialMs: 100, maxMs: 5_000 };
const defaultPingTimeoutMs = 5_000;

/** Streams that record which stream owns an event id; never an application stream. */
export const eventIdClaimStreamPrefix = 'twinning-event-id-';
/** A `$` type keeps the claims out of `readAll` and subscriptions, with ESDB's own events. */
export const eventIdClaimEventType = '$twinning-event-id';

/** The EventStoreDB (KurrentDB) implementation of the event store port. */
export const createEsdbEventStore = (options: EsdbEventStoreOptions): EventStore => {
  const connectionString = normaliseConnectionString(options.connectionString);
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    // The client's parse errors quote the string around the fault, which may hold a password.
    const expected = error instanceof Error ? /expected (.+)$/.exec(error.message)?.[1] : undefined;
    throw new InvalidConnectionStringError(
      expected === undefined ? 'the client cannot parse it' : `expected ${expected}`,
    );
  }
  const { connectionString: _connectionString, ...settings } = options;
  return createEsdbEventStoreWithClient(client, settings);
};

const isNonNegativeInteger = (value: number): boolean => Number.isInteger(value) && value >= 0;

const validateMaxCount = (maxCount: number | undefined): void => {
  if (maxCount !== undefined && !isNonNegativeInteger(maxCount)) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
};

interface StreamScan {
  readonly last: RecordedEvent | undefined;
  /** The events of the stream whose ids were asked about, by normalised id. */
  readonly found: ReadonlyMap<string, RecordedEvent>;
}

/** The store over any object shaped like the client: the real one, or a double in unit tests. */
export const createEsdbEventStoreWithClient = (
  client: EsdbClient,
  settings: EsdbStoreSettings = {},
): EventStore => {
  const maxAppendAttempts = settings.maxAppendAttempts ?? defaultMaxAppendAttempts;
  const backoff = settings.resubscribeBackoff ?? defaultBackoff;
  const pingTimeoutMs = settings.pingTimeoutMs ?? defaultPingTimeoutMs;
  const claimEventIds = settings.claimEventIds ?? true;
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new EventStoreUnavailableError('the EventStoreDB store is closed');
  };

  async function* readStreamEvents(
    streamId: string,
    options: ReadStreamOptions,
  ): AsyncGenerator<RecordedEvent, void, undefined> {
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const read = client.readStream(streamId, {
      direction: forwards ? FORWARDS : BACKWARDS,
      fromRevision: options.fromRevision ?? (forwards ? START : END),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    let finished = false;
    try {
      for await (const resolved of read) {
        const recorded = resolved.event;
        if (recorded === undefined) continue;
        const decoded = decodeRecordedEvent(recorded, resolved.commitPosition);
        if (!decoded.ok) throw new UnreadableEventError(streamId, recorded.id, decoded.reason);
        yield decoded.event;
      }
      finished = true;
    } catch (error) {
      finished = true;
      if (isStreamNotFound(error)) return;
      throw translateEsdbError(error);
    } finally {
      if (!finished) await read.cancel();
    }
  }

  /** `$all` in one direction from an ESDB position, the port's filter applied here. */
  async function* scanAll(
    readOptions: EsdbReadAllOptions,
    options: ReadAllOptions,
  ): AsyncGenerator<RecordedEvent, void, undefined> {
    const read = client.readAll(readOptions);
    let finished = false;
    try {
      for await (const resolved of read) {
        const recorded = resolved.event;
        if (recorded === undefined) continue;
        if (!matchesEventFilter(options.filter, recorded.streamId, recorded.type)) continue;
        const decoded = decodeRecordedEvent(recorded, resolved.commitPosition);
        // Events without the chain metadata were written by someone else sharing the server.
        if (decoded.ok) yield decoded.event;
      }
      finished = true;
    } catch (error) {
      finished = true;
      throw translateEsdbError(error);
    } finally {
      if (!finished) await read.cancel();
    }
  }

  const firstResolved = async (
    readOptions: EsdbReadAllOptions,
  ): Promise<AllStreamResolvedEvent | undefined> => {
    const read = client.readAll({ ...readOptions, maxCount: 1 });
    let first: AllStreamResolvedEvent | undefined;
    try {
      for await (const resolved of read) {
        first = resolved;
        break;
      }
    } catch (error) {
      throw translateEsdbError(error);
    } finally {
      if (first !== undefined) await read.cancel();
    }
    return first;
  };

  async function* readAllEvents(
    options: ReadAllOptions,
  ): AsyncGenerator<RecordedEvent, void, undefined> {
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining === 0) return;
    const from = options.fromPosition;
    if (forwards) {
      const fromPosition = from === undefined ? START : toEsdbPosition(from);
      for await (const event of scanAll({ direction: FORWARDS, fromPosition }, options)) {
        yield event;
        if (--remaining === 0) return;
      }
      return;
    }
    if (from !== undefined) {
      // A backwards read from a position excludes the event there; the port's includes it.
      const atPosition = await firstResolved({
        direction: FORWARDS,
        fromPosition: toEsdbPosition(from),
      });
      const recorded = atPosition?.event;
      if (
        recorded !== undefined &&
        (fromEsdbPosition(recorded.position) ??
          fromEsdbCommitPosition(atPosition?.commitPosition)) === from &&
        matchesEventFilter(options.filter, recorded.streamId, recorded.type)
      ) {
        const decoded = decodeRecordedEvent(recorded, atPosition?.commitPosition);
        if (decoded.ok) {
          yield decoded.event;
          if (--remaining === 0) return;
        }
      }
    }
    const fromPosition = from === undefined ? END : toEsdbPosition(from);
    for await (const event of scanAll({ direction: BACKWARDS, fromPosition }, options)) {
      yield event;
      if (--remaining === 0) return;
    }
  }

  const readHeadPosition = async (deadline?: number): Promise<bigint | undefined> => {
    const head = await firstResolved({
      direction: BACKWARDS,
      fromPosition: END,
      ...(deadline === undefined ? {} : { deadline }),
    });
    if (head === undefined) return undefined;
    return fromEsdbPosition(head.event?.position) ?? fromEsdbCommitPosition(head.commitPosition);
  };

  const collect = async (events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
    const collected: RecordedEvent[] = [];
    for await (const event of events) collected.push(event);
    return collected;
  };

  const scanStream = async (streamId: string, ids: ReadonlySet<string>): Promise<StreamScan> => {
    const found = new Map<string, RecordedEvent>();
    let last: RecordedEvent | undefined;
    for await (const event of readStreamEvents(streamId, {})) {
      if (ids.has(event.id)) found.set(event.id, event);
      last = event;
    }
    return { last, found };
  };

  const readEventAt = async (
    streamId: string,
    revision: bigint,
  ): Promise<RecordedEvent | undefined> => {
    const [event] = await collect(
      readStreamEvents(streamId, { fromRevision: revision, maxCount: 1 }),
    );
    return event?.revision === revision ? event : undefined;
  };

  /**
   * The port's idempotency rule: if every id is already in the stream this is a retry, answered
   * with the result of the append that stored them; some but not all is an error.
   */
  const answerAsRetry = (
    streamId: string,
    ids: readonly string[],
    scan: StreamScan,
  ): AppendResult | undefined => {
    const stored = ids.flatMap((id) => {
      const event = scan.found.get(id);
      return event === undefined ? [] : [event];
    });
    if (stored.length === 0) return undefined;
    if (stored.length < ids.length) {
      throw new PartialDuplicateAppendError(
        streamId,
        stored.map((event) => event.id),
      );
    }
    const last = stored.reduce((a, b) => (b.revision > a.revision ? b : a));
    return { nextExpectedRevision: last.revision, position: last.position };
  };

  const ownerOfClaim = async (claimStream: string): Promise<string | undefined> => {
    try {
      for await (const resolved of client.readStream(claimStream, { maxCount: 1 })) {
        const data: unknown = resolved.event?.data;
        if (typeof data === 'object' && data !== null && 'streamId' in data) {
          return typeof data.streamId === 'string' ? data.streamId : undefined;
        }
      }
      return undefined;
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw translateEsdbError(error);
    }
  };

  /**
   * Claims each id for `streamId` with a create-only append to the id's own stream: the server
   * lets exactly one stream have it. A claim that already names `streamId` is a retry (or an
   * append that failed after claiming) and passes. Claims are not undone when the append that
   * follows fails, so an id stays with the stream it was first offered to.
   */
  const claimIds = async (streamId: string, ids: readonly string[]): Promise<void> => {
    if (!claimEventIds) return;
    await Promise.all(
      ids.map(async (id) => {
        const claimStream = `${eventIdClaimStreamPrefix}${id}`;
        try {
          await client.appendToStream(
            claimStream,
            jsonEvent({ type: eventIdClaimEventType, data: { streamId } }),
            { expectedRevision: NO_STREAM },
          );
          return;
        } catch (error) {
          if (!isWrongExpectedVersion(error)) throw translateEsdbError(error);
        }
        const owner = await ownerOfClaim(claimStream);
        if (owner !== undefined && owner !== streamId) {
          throw new DuplicateEventIdError(id, streamId, owner);
        }
      }),
    );
  };

  class AppendRejected extends Error {}

  /** One append at an exact revision, the chain continued from `previous`. */
  const appendAfter = async (
    streamId: string,
    events: readonly EventToAppend[],
    previous: RecordedEvent | undefined,
  ): Promise<AppendResult> => {
    let prevHash = previous?.hash ?? GENESIS_HASH;
    const firstRevision = previous === undefined ? 0n : previous.revision + 1n;
    const eventData = events.map((event, index) => {
      const encoded = encodeEvent(streamId, firstRevision + BigInt(index), prevHash, event);
      prevHash = encoded.hash;
      return encoded.eventData;
    });
    let result;
    try {
      result = await client.appendToStream(streamId, eventData, {
        expectedRevision: previous === undefined ? NO_STREAM : previous.revision,
      });
    } catch (error) {
      if (isWrongExpectedVersion(error)) throw new AppendRejected();
      throw translateEsdbError(error);
    }
    // `throwOnAppendFailure=false` in the connection string reports conflicts this way instead.
    if (!result.success) throw new AppendRejected();
    const position =
      fromEsdbPosition(result.position) ??
      (await readEventAt(streamId, result.nextExpectedRevision))?.position;
    if (position === undefined) {
      throw new EventStoreUnavailableError(
        `Stream ${streamId}: the append succeeded but its position could not be read back`,
      );
    }
    return { nextExpectedRevision: result.nextExpectedRevision, position };
  };

  const conflictOrRetry = async (
    streamId: string,
    ids: readonly string[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> => {
    const scan = await scanStream(streamId, new Set(ids));
    const retry = answerAsRetry(streamId, ids, scan);
    if (retry !== undefined) return retry;
    throw new ExpectedRevisionConflictError(streamId, expected, scan.last?.revision ?? 'no_stream');
  };

  const appendAtExpected = async (
    streamId: string,
    events: readonly EventToAppend[],
    ids: readonly string[],
    expected: bigint | 'no_stream',
  ): Promise<AppendResult> => {
    let previous: RecordedEvent | undefined;
    if (expected !== 'no_stream') {
      previous = await readEventAt(streamId, expected);
      // Without the event at the expected revision there is no hash to chain from: the append
      // could only succeed by racing a writer, with a wrong prevHash.
      if (previous === undefined) return conflictOrRetry(streamId, ids, expected);
    }
    await claimIds(streamId, ids);
    try {
      return await appendAfter(streamId, events, previous);
    } catch (error) {
      if (error instanceof AppendRejected) return conflictOrRetry(streamId, ids, expected);
      throw error;
    }
  };

  const appendAtHead = async (
    streamId: string,
    events: readonly EventToAppend[],
    ids: readonly string[],
    expected: 'any' | 'stream_exists',
  ): Promise<AppendResult> => {
    const wanted = new Set(ids);
    let last: RecordedEvent | undefined;
    for (let attempt = 0; attempt < maxAppendAttempts; attempt++) {
      // A whole-stream read: ESDB remembers event ids only for recent writes, and an append at
      // the exact head revision is never checked against them.
      const scan = await scanStream(streamId, wanted);
      const retry = answerAsRetry(streamId, ids, scan);
      if (retry !== undefined) return retry;
      last = scan.last;
      if (expected === 'stream_exists' && last === undefined) {
        throw new ExpectedRevisionConflictError(streamId, expected, 'no_stream');
      }
      if (attempt === 0) await claimIds(streamId, ids);
      try {
        return await appendAfter(streamId, events, last);
      } catch (error) {
        if (!(error instanceof AppendRejected)) throw error;
      }
    }
    throw new ExpectedRevisionConflictError(streamId, expected, last?.revision ?? 'no_stream');
  };

  const store: EventStore = {
    async appendToStream(
      streamId: string,
      events: readonly EventToAppend[],
      options: AppendOptions,
    ): Promise<AppendResult> {
      assertOpen();
      assertValidAppend(streamId, events, options);
      if (streamId.startsWith('$')) {
        throw new TypeError(
          `stream ids starting with "$" are reserved by EventStoreDB: ${streamId}`,
        );
      }
      if (streamId.startsWith(eventIdClaimStreamPrefix)) {
        throw new TypeError(`stream ids starting with "${eventIdClaimStreamPrefix}" are reserved`);
      }
      events.forEach(validateEventToAppend);
      const ids = events.map((event) => normaliseEventId(event.id));
      const expected = options.expectedRevision;
      if (expected === 'any' || expected === 'stream_exists') {
        return appendAtHead(streamId, events, ids, expected);
      }
      return appendAtExpected(streamId, events, ids, expected);
    },

    readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
      assertOpen();
      validateMaxCount(options.maxCount);
      if (options.fromRevision !== undefined && options.fromRevision < 0n) {
        throw new RangeError(`fromRevision must be >= 0, got ${options.fromRevision}`);
      }
      if (options.maxCount === 0) return noEvents();
      return readStreamEvents(streamId, options);
    },

    readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
      assertOpen();
      validateMaxCount(options.maxCount);
      if (options.fromPosition !== undefined) toEsdbPosition(options.fromPosition);
      return readAllEvents(options);
    },

    subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
      assertOpen();
      const subscription: Subscription = openEsdbSubscription(options, {
        client,
        readHeadPosition: () => readHeadPosition(),
        backoff,
        onClosed: () => subscriptions.delete(subscription),
      });
      subscriptions.add(subscription);
      return subscription;
    },

    async ping(): Promise<void> {
      assertOpen();
      await readHeadPosition(pingTimeoutMs);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      try {
        await client.dispose();
      } catch (error) {
        throw translateEsdbError(error);
      }
    },
  };
  return store;
};

async function* noEvents(): AsyncGenerator<RecordedEvent, void, undefined> {}
