import { assertValidAppend } from './append-validation.js';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  PartialDuplicateAppendError,
} from './errors.js';
import { matchesEventFilter } from './event-filter.js';
import { pagesOfOne } from './subscription-pages.js';
import { assertExpectedRevision } from './expected-revision.js';
import { GENESIS_HASH, chainHash } from './hash-chain.js';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventToAppend,
  JsonObject,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionMessage,
} from './types.js';

const defaultCheckpointInterval = 1000;

/** Stored events are shared with every reader, so nothing a caller holds may alias them. */
const cloneJson = (value: JsonObject): JsonObject => structuredClone(value);

const copyOf = (event: RecordedEvent): RecordedEvent => ({
  ...event,
  data: cloneJson(event.data),
  metadata: cloneJson(event.metadata),
  storedAt: new Date(event.storedAt.getTime()),
});

const assertMaxCount = (maxCount: number | undefined): void => {
  if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) {
    throw new TypeError('maxCount must be a non-negative integer');
  }
};

/**
 * The event store port in process memory: for tests of the layers above and for demos. Global
 * positions count from 1n. Everything is lost when the process ends.
 */
export const createInMemoryEventStore = (): EventStore => {
  const all: RecordedEvent[] = [];
  const streams = new Map<string, RecordedEvent[]>();
  const byId = new Map<string, RecordedEvent>();
  const wakeSubscribers = new Set<() => void>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new EventStoreUnavailableError('the event store is closed');
  };

  const wakeAll = (): void => {
    for (const wake of [...wakeSubscribers]) wake();
  };

  /** An earlier append with the same ids is answered with its own result (idempotent retry). */
  const earlierResult = (
    streamId: string,
    events: readonly EventToAppend[],
  ): AppendResult | undefined => {
    const existing = events
      .map((event) => byId.get(event.id.toLowerCase()))
      .filter((event): event is RecordedEvent => event !== undefined);
    if (existing.length === 0) return undefined;
    const elsewhere = existing.find((event) => event.streamId !== streamId);
    if (elsewhere !== undefined) {
      throw new DuplicateEventIdError(elsewhere.id, streamId, elsewhere.streamId);
    }
    if (existing.length < events.length) {
      throw new PartialDuplicateAppendError(
        streamId,
        existing.map((event) => event.id),
      );
    }
    const last = existing.reduce((latest, event) =>
      event.revision > latest.revision ? event : latest,
    );
    return { nextExpectedRevision: last.revision, position: last.position };
  };

  const appendToStream = (
    streamId: string,
    events: readonly EventToAppend[],
    options: AppendOptions,
  ): Promise<AppendResult> => {
    try {
      assertOpen();
      assertValidAppend(streamId, events, options);
      const retried = earlierResult(streamId, events);
      if (retried !== undefined) return Promise.resolve(retried);

      const stream = streams.get(streamId) ?? [];
      const last = stream.at(-1);
      assertExpectedRevision(streamId, options.expectedRevision, last?.revision ?? 'no_stream');

      let prevHash = last?.hash ?? GENESIS_HASH;
      let revision = last === undefined ? 0n : last.revision + 1n;
      const storedAt = new Date();
      for (const event of events) {
        const data = cloneJson(event.data);
        const metadata = cloneJson(event.metadata);
        const hash = chainHash(prevHash, { streamId, revision, type: event.type, data, metadata });
        const recorded: RecordedEvent = {
          id: event.id.toLowerCase(),
          streamId,
          type: event.type,
          data,
          metadata,
          revision,
          position: BigInt(all.length + 1),
          storedAt,
          prevHash,
          hash,
        };
        all.push(recorded);
        stream.push(recorded);
        byId.set(recorded.id, recorded);
        prevHash = hash;
        revision += 1n;
      }
      streams.set(streamId, stream);
      wakeAll();
      const appended = stream.at(-1);
      if (appended === undefined) throw new Error('unreachable: an append adds events');
      return Promise.resolve({
        nextExpectedRevision: appended.revision,
        position: appended.position,
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };

  // Async generators without awaits: the port is asynchronous, this store simply never waits.
  // eslint-disable-next-line @typescript-eslint/require-await
  async function* readStream(
    streamId: string,
    options: ReadStreamOptions = {},
  ): AsyncGenerator<RecordedEvent> {
    assertOpen();
    assertMaxCount(options.maxCount);
    const stream = streams.get(streamId) ?? [];
    const backwards = options.direction === 'backwards';
    const ordered = backwards ? [...stream].reverse() : [...stream];
    const from = options.fromRevision;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    for (const event of ordered) {
      if (remaining <= 0) return;
      if (from !== undefined && (backwards ? event.revision > from : event.revision < from)) {
        continue;
      }
      remaining -= 1;
      yield copyOf(event);
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async function* readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    assertOpen();
    assertMaxCount(options.maxCount);
    const backwards = options.direction === 'backwards';
    const snapshot = backwards ? [...all].reverse() : [...all];
    const from = options.fromPosition;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    for (const event of snapshot) {
      if (remaining <= 0) return;
      if (from !== undefined && (backwards ? event.position > from : event.position < from)) {
        continue;
      }
      if (!matchesEventFilter(event, options.filter)) continue;
      remaining -= 1;
      yield copyOf(event);
    }
  }

  const subscribeToAll = (options: SubscribeToAllOptions = {}): Subscription => {
    const interval = options.checkpointInterval ?? defaultCheckpointInterval;
    if (!Number.isInteger(interval) || interval < 1) {
      throw new TypeError('checkpointInterval must be a positive integer');
    }
    const from = options.fromPosition ?? 'start';
    // Positions are dense from 1n, so the index of the next event is the last position seen.
    let nextIndex = from === 'start' ? 0 : from === 'end' ? all.length : Math.max(0, Number(from));
    let lastConsidered: bigint | undefined =
      from === 'start' ? undefined : from === 'end' ? all.at(-1)?.position : from;
    let subscriptionClosed = false;
    let wake: (() => void) | undefined;

    const waitForNews = (): Promise<void> =>
      new Promise((resolve) => {
        wake = () => {
          wakeSubscribers.delete(onAppend);
          wake = undefined;
          resolve();
        };
        const onAppend = (): void => wake?.();
        wakeSubscribers.add(onAppend);
      });

    async function* messages(): AsyncGenerator<SubscriptionMessage> {
      let sinceCheckpoint = 0;
      let caughtUp = false;
      try {
        while (!subscriptionClosed && !closed) {
          const event = all[nextIndex];
          if (event === undefined) {
            if (!caughtUp) {
              caughtUp = true;
              yield { type: 'caught-up', position: lastConsidered };
              continue;
            }
            await waitForNews();
            continue;
          }
          nextIndex += 1;
          lastConsidered = event.position;
          sinceCheckpoint += 1;
          if (matchesEventFilter(event, options.filter)) {
            yield { type: 'event', event: copyOf(event) };
          }
          if (sinceCheckpoint >= interval) {
            sinceCheckpoint = 0;
            yield { type: 'checkpoint', position: event.position };
          }
        }
      } finally {
        subscriptionClosed = true;
      }
    }

    const iterator = messages();
    const pages = pagesOfOne(iterator);
    return {
      [Symbol.asyncIterator]: () => iterator,
      pages: () => pages,
      close: () => {
        subscriptionClosed = true;
        wake?.();
        return Promise.resolve();
      },
    };
  };

  return {
    appendToStream,
    readStream,
    readAll,
    subscribeToAll,
    ping: () =>
      closed ? Promise.reject(new EventStoreUnavailableError('closed')) : Promise.resolve(),
    close: () => {
      closed = true;
      wakeAll();
      return Promise.resolve();
    },
  };
};
