import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import {
  DuplicateEventIdError,
  ExpectedRevisionConflictError,
  PartialDuplicateAppendError,
} from '../errors.js';
import { GENESIS_HASH, chainHash } from '../hash-chain.js';
import type {
  EventStore,
  EventToAppend,
  JsonObject,
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from '../types.js';

export interface EventStoreContractFixture {
  readonly store: EventStore;
  teardown(): Promise<void>;
}

/** What a setup gives when the store cannot run here (no server, no container runtime). */
export interface EventStoreContractSkip {
  readonly skip: string;
}

export type EventStoreContractSetup = () => Promise<
  EventStoreContractFixture | EventStoreContractSkip
>;

export interface EventStoreContractOptions {
  /**
   * Known before the tests are collected: the whole suite is declared skipped, and the reason
   * is part of its name in the test output.
   */
  readonly skipReason?: string | undefined;
  readonly setup: EventStoreContractSetup;
}

const messageTimeoutMs = 10_000;

const newEvent = (
  type: string,
  data: JsonObject = {},
  metadata: JsonObject = {},
): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

/** The item at `index`, failing the test when there is none. */
const nth = <T>(items: readonly T[], index: number): T => {
  const item = items[index];
  if (item === undefined) throw new Error(`expected an item at index ${index} of ${items.length}`);
  return item;
};

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

const conflictOf = async (attempt: Promise<unknown>): Promise<ExpectedRevisionConflictError> => {
  const error: unknown = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ExpectedRevisionConflictError);
  return error as ExpectedRevisionConflictError;
};

/** Pulls messages from a subscription, failing the test instead of hanging when none come. */
class SubscriptionReader {
  private readonly iterator: AsyncIterator<SubscriptionMessage>;

  constructor(readonly subscription: Subscription) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  async next(): Promise<IteratorResult<SubscriptionMessage>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no subscription message within ${messageTimeoutMs} ms`)),
        messageTimeoutMs,
      );
    });
    try {
      return await Promise.race([this.iterator.next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Messages up to and including the first one that satisfies `until`. */
  async readUntil(
    until: (message: SubscriptionMessage) => boolean,
  ): Promise<SubscriptionMessage[]> {
    const messages: SubscriptionMessage[] = [];
    for (;;) {
      const result = await this.next();
      if (result.done === true) throw new Error('subscription ended early');
      messages.push(result.value);
      if (until(result.value)) return messages;
    }
  }

  /** Events of the given streams, in delivery order, until `count` of them have arrived. */
  async eventsOf(streamIds: readonly string[], count: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    await this.readUntil((message) => {
      if (message.type === 'event' && streamIds.includes(message.event.streamId)) {
        events.push(message.event);
      }
      return events.length >= count;
    });
    return events;
  }
}

const eventsIn = (messages: readonly SubscriptionMessage[], streamId: string): RecordedEvent[] =>
  messages.flatMap((message) =>
    message.type === 'event' && message.event.streamId === streamId ? [message.event] : [],
  );

const isCaughtUp = (message: SubscriptionMessage): boolean => message.type === 'caught-up';

/**
 * The behaviour every `EventStore` adapter must show. Tests share one store per suite and never
 * assume it is empty: each works on streams of its own (random ids), so the suite also runs
 * against a long-lived server.
 *
 * `setup` runs once before the suite. Give `{ skipReason, setup }` when the store is known to be
 * unavailable before tests are collected (the suite is then declared skipped, reason in its
 * name); a setup that resolves to `{ skip: reason }` instead marks every test skipped with that
 * reason at run time. Either way a suite that did not run is never reported as passed.
 */
export const describeEventStoreContract = (
  name: string,
  setupOrOptions: EventStoreContractSetup | EventStoreContractOptions,
): void => {
  const options: EventStoreContractOptions =
    typeof setupOrOptions === 'function' ? { setup: setupOrOptions } : setupOrOptions;

  const { skipReason } = options;
  // A suite that cannot run here is reported as skipped, with the reason in its name.
  describe.skipIf(skipReason !== undefined)(
    skipReason === undefined
      ? `EventStore contract: ${name}`
      : `EventStore contract: ${name} (skipped: ${skipReason})`,
    () => {
      let fixture: EventStoreContractFixture | EventStoreContractSkip | undefined;

      beforeAll(async () => {
        fixture = await options.setup();
      });

      afterAll(async () => {
        if (fixture !== undefined && 'store' in fixture) await fixture.teardown();
      });

      defineContractTests((context) => {
        if (fixture === undefined) throw new Error('contract setup did not run');
        if ('skip' in fixture) return context.skip(fixture.skip);
        return fixture.store;
      });
    },
  );
};

const defineContractTests = (storeFor: (context: TestContext) => EventStore): void => {
  const streamId = (kind = 'contract'): string => `${kind}-${randomUUID()}`;

  const readStream = (store: EventStore, id: string): Promise<RecordedEvent[]> =>
    collect(store.readStream(id));

  describe('appending', () => {
    it("creates a stream with 'no_stream' and reports the revision and position", async (context) => {
      const store = storeFor(context);
      const id = streamId();
      const result = await store.appendToStream(id, [newEvent('A'), newEvent('B')], {
        expectedRevision: 'no_stream',
      });
      expect(result.nextExpectedRevision).toBe(1n);
      const events = await readStream(store, id);
      expect(events.map((event) => [event.type, event.revision])).toEqual([
        ['A', 0n],
        ['B', 1n],
      ]);
      expect(result.position).toBe(nth(events, 1).position);
    });

    it("creates a stream with 'any'", async (context) => {
      const store = storeFor(context);
      const id = streamId();
      const result = await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'any' });
      expect(result.nextExpectedRevision).toBe(0n);
      expect(await readStream(store, id)).toHaveLength(1);
    });

    it("refuses 'stream_exists' and a revision number for a stream that does not exist", async (context) => {
      const store = storeFor(context);
      const id = streamId();
      const exists = await conflictOf(
        store.appendToStream(id, [newEvent('A')], { expectedRevision: 'stream_exists' }),
      );
      expect(exists).toMatchObject({
        streamId: id,
        expected: 'stream_exists',
        actual: 'no_stream',
      });
      const numbered = await conflictOf(
        store.appendToStream(id, [newEvent('A')], { expectedRevision: 0n }),
      );
      expect(numbered).toMatchObject({ streamId: id, expected: 0n, actual: 'no_stream' });
      expect(await readStream(store, id)).toEqual([]);
    });

    it('appends to an existing stream with each kind of expected revision', async (context) => {
      const store = storeFor(context);
      const id = streamId();
      await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
      const exact = await store.appendToStream(id, [newEvent('B')], { expectedRevision: 0n });
      expect(exact.nextExpectedRevision).toBe(1n);
      const exists = await store.appendToStream(id, [newEvent('C')], {
        expectedRevision: 'stream_exists',
      });
      expect(exists.nextExpectedRevision).toBe(2n);
      const any = await store.appendToStream(id, [newEvent('D'), newEvent('E')], {
        expectedRevision: 'any',
      });
      expect(any.nextExpectedRevision).toBe(4n);
      expect(exact.position < exists.position && exists.position < any.position).toBe(true);
      expect((await readStream(store, id)).map((event) => event.type)).toEqual([
        'A',
        'B',
        'C',
        'D',
        'E',
      ]);
    });

    it('reports the actual revision on conflict and appends nothing', async (context) => {
      const store = storeFor(context);
      const id = streamId();
      await store.appendToStream(id, [newEvent('A'), newEvent('B'), newEvent('C')], {
        expectedRevision: 'no_stream',
      });
      const stale = await conflictOf(
        store.appendToStream(id, [newEvent('X'), newEvent('Y')], { expectedRevision: 1n }),
      );
      expect(stale).toMatchObject({ streamId: id, expected: 1n, actual: 2n });
      const ahead = await conflictOf(
        store.appendToStream(id, [newEvent('X')], { expectedRevision: 7n }),
      );
      expect(ahead.actual).toBe(2n);
      const recreate = await conflictOf(
        store.appendToStream(id, [newEvent('X')], { expectedRevision: 'no_stream' }),
      );
      expect(recreate).toMatchObject({ expected: 'no_stream', actual: 2n });

      expect((await readStream(store, id)).map((event) => event.type)).toEqual(['A', 'B', 'C']);
      const everywhere = await collect(store.readAll({ filter: { eventTypes: ['X', 'Y'] } }));
      expect(everywhere.filter((event) => event.streamId === id)).toEqual([]);
    });

    it('answers a retry with the same event ids with the original result and appends nothing', async (context) => {
      const store = storeFor(context);
      const id = streamId();
      const events = [newEvent('A', { n: 1 }), newEvent('B', { n: 2 })];
      const original = await store.appendToStream(id, events, { expectedRevision: 'no_stream' });
      const retry = await store.appendToStream(id, events, { expectedRevision: 'no_stream' });
      expect(retry).toEqual(original);

      await store.appendToStream(id, [newEvent('C')], { expectedRevision: 1n });
      const lateRetry = await store.appendToStream(id, events, { expectedRevision: 'no_stream' });
      expect(lateRetry).toEqual(original);
      const staleRetry = await store.appendToStream(id, events, { expectedRevision: 0n });
      expect(staleRetry).toEqual(original);

      expect((await readStream(store, id)).map((event) => event.type)).toEqual(['A', 'B', 'C']);
    });

    it('answers a retry of a later append with that append’s result', async (context) => {
      const store = storeFor(context);
      const id = streamId();
      await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
      const second = [newEvent('B'), newEvent('C')];
      const original = await store.appendToStream(id, second, { expectedRevision: 0n });
      await store.appendToStream(id, [newEvent('D')], { expectedRevision: 2n });
      expect(await store.appendToStream(id, second, { expectedRevision: 0n })).toEqual(original);
    });

    it('refuses an append that repeats only some earlier event ids', async (context) => {
      const store = storeFor(context);
      const id = streamId();
      const first = newEvent('A');
      await store.appendToStream(id, [first, newEvent('B')], { expectedRevision: 'no_stream' });
      const error: unknown = await store
        .appendToStream(id, [first, newEvent('C')], { expectedRevision: 'any' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PartialDuplicateAppendError);
      expect(error).toMatchObject({ streamId: id, duplicateEventIds: [first.id] });
      expect(await readStream(store, id)).toHaveLength(2);
    });

    it('refuses an event id already used in another stream', async (context) => {
      const store = storeFor(context);
      const original = streamId();
      const other = streamId();
      const event = newEvent('A');
      await store.appendToStream(original, [event], { expectedRevision: 'no_stream' });
      const error: unknown = await store
        .appendToStream(other, [event], { expectedRevision: 'any' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(error).toMatchObject({
        eventId: event.id,
        streamId: other,
        existingStreamId: original,
      });
      expect(await readStream(store, other)).toEqual([]);
    });

    it('refuses malformed appends with a TypeError', async (context) => {
      const store = storeFor(context);
      const id = streamId();
      await expect(store.appendToStream(id, [], { expectedRevision: 'any' })).rejects.toThrow(
        TypeError,
      );
      await expect(
        store.appendToStream(id, [{ ...newEvent('A'), id: 'not-a-uuid' }], {
          expectedRevision: 'any',
        }),
      ).rejects.toThrow(TypeError);
      const twice = newEvent('A');
      await expect(
        store.appendToStream(id, [twice, twice], { expectedRevision: 'any' }),
      ).rejects.toThrow(TypeError);
      expect(await readStream(store, id)).toEqual([]);
    });

    it('lets exactly one of many concurrent appends win each revision', async (context) => {
      const store = storeFor(context);
      const id = streamId();
      await store.appendToStream(id, [newEvent('Start')], { expectedRevision: 'no_stream' });
      const writers = 10;
      for (let revision = 0n; revision < 5n; revision += 1n) {
        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, (_, writer) =>
            store.appendToStream(id, [newEvent(`Writer${writer}`)], {
              expectedRevision: revision,
            }),
          ),
        );
        const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(ExpectedRevisionConflictError);
            expect((outcome.reason as ExpectedRevisionConflictError).actual).toBe(revision + 1n);
          }
        }
      }
      const events = await readStream(store, id);
      expect(events.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    });
  });

  describe('recorded events', () => {
    it('round-trip data, metadata and type, with the time they were stored', async (context) => {
      const store = storeFor(context);
      const id = streamId('agreement');
      const data: JsonObject = {
        partner: 'Volgograd',
        since: 1944,
        ratio: 0.5,
        suspended: true,
        terms: { areas: ['culture', 'education'], note: null },
        names: ['Stalingrad', 'Волгоград', 'Zürich 🏛'],
      };
      const metadata: JsonObject = {
        correlationId: randomUUID(),
        actor: { subject: 'clerk-1', role: 'clerk', municipality: 'Coventry' },
      };
      const before = Date.now();
      const event = newEvent('AgreementSuspended', data, metadata);
      await store.appendToStream(id, [event], { expectedRevision: 'no_stream' });
      const after = Date.now();

      const recorded = nth(await readStream(store, id), 0);
      expect(recorded).toMatchObject({
        id: event.id,
        streamId: id,
        type: 'AgreementSuspended',
        revision: 0n,
        data,
        metadata,
      });
      expect(typeof recorded.position).toBe('bigint');
      expect(recorded.storedAt).toBeInstanceOf(Date);
      // Allows for a store whose clock runs on another machine.
      expect(recorded.storedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
      expect(recorded.storedAt.getTime()).toBeLessThanOrEqual(after + 5_000);
    });

    it('chain each stream with hashes from GENESIS_HASH', async (context) => {
      const store = storeFor(context);
      const id = streamId();
      await store.appendToStream(id, [newEvent('A', { n: 1 }), newEvent('B', { n: 2 })], {
        expectedRevision: 'no_stream',
      });
      await store.appendToStream(id, [newEvent('C', { n: 3 }, { by: 'clerk' })], {
        expectedRevision: 1n,
      });
      const events = await readStream(store, id);
      expect(events).toHaveLength(3);
      expect(nth(events, 0).prevHash).toBe(GENESIS_HASH);
      events.forEach((event, index) => {
        if (index > 0) expect(event.prevHash).toBe(nth(events, index - 1).hash);
        expect(event.hash).toBe(
          chainHash(event.prevHash, {
            streamId: event.streamId,
            revision: event.revision,
            type: event.type,
            data: event.data,
            metadata: event.metadata,
          }),
        );
      });
      expect(new Set(events.map((event) => event.hash)).size).toBe(3);
    });
  });

  describe('readStream', () => {
    const appendNumbered = async (store: EventStore, count: number): Promise<string> => {
      const id = streamId();
      await store.appendToStream(
        id,
        Array.from({ length: count }, (_, n) => newEvent(`E${n}`, { n })),
        { expectedRevision: 'no_stream' },
      );
      return id;
    };

    const revisionsOf = (events: readonly RecordedEvent[]): bigint[] =>
      events.map((event) => event.revision);

    it('reads forwards from the start by default', async (context) => {
      const store = storeFor(context);
      const id = await appendNumbered(store, 5);
      expect(revisionsOf(await collect(store.readStream(id)))).toEqual([0n, 1n, 2n, 3n, 4n]);
    });

    it('reads forwards from a revision (inclusive) up to maxCount', async (context) => {
      const store = storeFor(context);
      const id = await appendNumbered(store, 5);
      expect(revisionsOf(await collect(store.readStream(id, { fromRevision: 2n })))).toEqual([
        2n,
        3n,
        4n,
      ]);
      expect(
        revisionsOf(await collect(store.readStream(id, { fromRevision: 1n, maxCount: 2 }))),
      ).toEqual([1n, 2n]);
      expect(await collect(store.readStream(id, { fromRevision: 9n }))).toEqual([]);
    });

    it('reads backwards from the end or from a revision', async (context) => {
      const store = storeFor(context);
      const id = await appendNumbered(store, 5);
      expect(revisionsOf(await collect(store.readStream(id, { direction: 'backwards' })))).toEqual([
        4n,
        3n,
        2n,
        1n,
        0n,
      ]);
      expect(
        revisionsOf(
          await collect(
            store.readStream(id, { direction: 'backwards', fromRevision: 3n, maxCount: 2 }),
          ),
        ),
      ).toEqual([3n, 2n]);
    });

    it('reads a stream that does not exist as empty', async (context) => {
      const store = storeFor(context);
      expect(await collect(store.readStream(streamId()))).toEqual([]);
      expect(await collect(store.readStream(streamId(), { direction: 'backwards' }))).toEqual([]);
    });
  });

  describe('readAll', () => {
    /** Two interleaved streams under one fresh prefix: a1 b1 a2 b2 a3. */
    const appendInterleaved = async (store: EventStore) => {
      const prefix = `all${randomUUID().replaceAll('-', '')}-`;
      const a = `${prefix}a`;
      const b = `${prefix}b`;
      const appended: { streamId: string; position: bigint }[] = [];
      const steps: [string, string][] = [
        [a, 'Proposed'],
        [b, 'Proposed'],
        [a, 'Accepted'],
        [b, 'Declined'],
        [a, 'Signed'],
      ];
      for (const [id, type] of steps) {
        const result = await store.appendToStream(id, [newEvent(type)], {
          expectedRevision: 'any',
        });
        appended.push({ streamId: id, position: result.position });
      }
      return { prefix, a, b, appended };
    };

    const keyOf = (event: RecordedEvent): string => `${event.streamId}:${event.type}`;

    it('reads every event in global order with strictly increasing positions', async (context) => {
      const store = storeFor(context);
      const { a, b, appended } = await appendInterleaved(store);
      const first = nth(appended, 0).position;
      const events = await collect(store.readAll({ fromPosition: first }));
      expect(nth(events, 0).position).toBe(first);
      for (let index = 1; index < events.length; index += 1) {
        expect(nth(events, index).position > nth(events, index - 1).position).toBe(true);
      }
      const ours = events.filter((event) => event.streamId === a || event.streamId === b);
      expect(ours.map((event) => event.position)).toEqual(appended.map((step) => step.position));
      expect(ours.map(keyOf)).toEqual([
        `${a}:Proposed`,
        `${b}:Proposed`,
        `${a}:Accepted`,
        `${b}:Declined`,
        `${a}:Signed`,
      ]);
    });

    it('includes events appended before it from the start', async (context) => {
      const store = storeFor(context);
      const { prefix } = await appendInterleaved(store);
      const events = await collect(store.readAll({ filter: { streamPrefixes: [prefix] } }));
      expect(events).toHaveLength(5);
    });

    it('filters by stream prefix and by event type', async (context) => {
      const store = storeFor(context);
      const { prefix, a, b } = await appendInterleaved(store);
      const byPrefix = await collect(store.readAll({ filter: { streamPrefixes: [a] } }));
      expect(byPrefix.map(keyOf)).toEqual([`${a}:Proposed`, `${a}:Accepted`, `${a}:Signed`]);

      const byType = await collect(
        store.readAll({
          filter: { streamPrefixes: [prefix], eventTypes: ['Proposed', 'Declined'] },
        }),
      );
      expect(byType.map(keyOf)).toEqual([`${a}:Proposed`, `${b}:Proposed`, `${b}:Declined`]);

      const eitherPrefix = await collect(
        store.readAll({ filter: { streamPrefixes: [`${b}`, `${a}`], eventTypes: ['Signed'] } }),
      );
      expect(eitherPrefix.map(keyOf)).toEqual([`${a}:Signed`]);
    });

    it('takes a stream prefix literally, wildcard characters and all', async (context) => {
      const store = storeFor(context);
      const prefix = `lit${randomUUID().replaceAll('-', '')}-`;
      const ids = ['a_b-1', 'axb-1', 'a%b-1', 'ayyb-1', 'a\\b-1', 'a\\\\b-1'].map(
        (suffix) => `${prefix}${suffix}`,
      );
      for (const id of ids) {
        await store.appendToStream(id, [newEvent('Proposed')], { expectedRevision: 'any' });
      }
      const streamsOf = async (streamPrefixes: string[]) =>
        (await collect(store.readAll({ filter: { streamPrefixes } }))).map(
          (event) => event.streamId,
        );
      expect(await streamsOf([`${prefix}a_b`])).toEqual([`${prefix}a_b-1`]);
      expect(await streamsOf([`${prefix}a%b`])).toEqual([`${prefix}a%b-1`]);
      expect(await streamsOf([`${prefix}a\\b`])).toEqual([`${prefix}a\\b-1`]);
      expect(await streamsOf([`${prefix}a_`, `${prefix}ax`])).toEqual([
        `${prefix}a_b-1`,
        `${prefix}axb-1`,
      ]);
    });

    it('reads from a position (inclusive) up to maxCount', async (context) => {
      const store = storeFor(context);
      const { prefix, a, b, appended } = await appendInterleaved(store);
      const events = await collect(
        store.readAll({
          fromPosition: nth(appended, 2).position,
          maxCount: 2,
          filter: { streamPrefixes: [prefix] },
        }),
      );
      expect(events.map(keyOf)).toEqual([`${a}:Accepted`, `${b}:Declined`]);
    });

    it('reads backwards from the end or from a position', async (context) => {
      const store = storeFor(context);
      const { prefix, a, b, appended } = await appendInterleaved(store);
      const fromEnd = await collect(
        store.readAll({
          direction: 'backwards',
          maxCount: 3,
          filter: { streamPrefixes: [prefix] },
        }),
      );
      expect(fromEnd.map(keyOf)).toEqual([`${a}:Signed`, `${b}:Declined`, `${a}:Accepted`]);

      const fromPosition = await collect(
        store.readAll({
          direction: 'backwards',
          fromPosition: nth(appended, 3).position,
          filter: { streamPrefixes: [prefix] },
        }),
      );
      expect(fromPosition.map(keyOf)).toEqual([
        `${b}:Declined`,
        `${a}:Accepted`,
        `${b}:Proposed`,
        `${a}:Proposed`,
      ]);
    });
  });

  describe('subscribeToAll', () => {
    it('delivers stored events, says it caught up, then delivers new ones live', async (context) => {
      const store = storeFor(context);
      const id = streamId('sub');
      const stored = await store.appendToStream(id, [newEvent('A'), newEvent('B')], {
        expectedRevision: 'no_stream',
      });
      const reader = new SubscriptionReader(
        store.subscribeToAll({ filter: { streamPrefixes: [id] } }),
      );
      try {
        const catchUp = await reader.readUntil(isCaughtUp);
        expect(eventsIn(catchUp, id).map((event) => event.type)).toEqual(['A', 'B']);
        const caughtUp = catchUp.at(-1);
        expect(caughtUp?.type).toBe('caught-up');
        if (caughtUp?.type === 'caught-up') {
          expect((caughtUp.position ?? -1n) >= stored.position).toBe(true);
        }
        expect(catchUp.filter(isCaughtUp)).toHaveLength(1);

        await store.appendToStream(id, [newEvent('C')], { expectedRevision: 1n });
        const live = await reader.eventsOf([id], 1);
        expect(live.map((event) => [event.type, event.revision])).toEqual([['C', 2n]]);
      } finally {
        await reader.subscription.close();
      }
    });

    it('hands on the same messages a page at a time, then live ones', async (context) => {
      const store = storeFor(context);
      const id = streamId('sub');
      await store.appendToStream(id, [newEvent('A'), newEvent('B'), newEvent('C')], {
        expectedRevision: 'no_stream',
      });
      const filter = { streamPrefixes: [id] };
      const one = new SubscriptionReader(store.subscribeToAll({ filter }));
      const paged = store.subscribeToAll({ filter });
      const pages = paged.pages();
      /** Pages up to and including the one that says the subscription caught up (or has `id`). */
      const pagesUntil = async (until: (message: SubscriptionMessage) => boolean) => {
        const read: SubscriptionMessage[][] = [];
        while (!read.some((page) => page.some(until))) {
          const result = await pages.next();
          if (result.done === true) throw new Error('subscription ended early');
          read.push([...result.value]);
        }
        return read;
      };
      try {
        const oneByOne = await one.readUntil(isCaughtUp);
        const inPages = await pagesUntil(isCaughtUp);
        expect(inPages.every((page) => page.length > 0)).toBe(true);
        expect(eventsIn(inPages.flat(), id)).toEqual(eventsIn(oneByOne, id));
        expect(inPages.flat().filter(isCaughtUp)).toHaveLength(1);
        expect(inPages.flat().at(-1)?.type).toBe('caught-up');

        await store.appendToStream(id, [newEvent('D')], { expectedRevision: 2n });
        const live = await pagesUntil(
          (message) => message.type === 'event' && message.event.type === 'D',
        );
        expect(eventsIn(live.flat(), id).map((event) => [event.type, event.revision])).toEqual([
          ['D', 3n],
        ]);
      } finally {
        await one.subscription.close();
        await paged.close();
      }
    });

    it('starts after a checkpoint position (exclusive)', async (context) => {
      const store = storeFor(context);
      const id = streamId('sub');
      const first = await store.appendToStream(id, [newEvent('A')], {
        expectedRevision: 'no_stream',
      });
      await store.appendToStream(id, [newEvent('B'), newEvent('C')], { expectedRevision: 0n });
      const reader = new SubscriptionReader(
        store.subscribeToAll({ fromPosition: first.position, filter: { streamPrefixes: [id] } }),
      );
      try {
        const catchUp = await reader.readUntil(isCaughtUp);
        expect(eventsIn(catchUp, id).map((event) => event.type)).toEqual(['B', 'C']);
      } finally {
        await reader.subscription.close();
      }
    });

    it("from 'end' delivers only events appended after it caught up", async (context) => {
      const store = storeFor(context);
      const id = streamId('sub');
      const before = await store.appendToStream(id, [newEvent('Before')], {
        expectedRevision: 'no_stream',
      });
      const reader = new SubscriptionReader(
        store.subscribeToAll({ fromPosition: 'end', filter: { streamPrefixes: [id] } }),
      );
      try {
        const catchUp = await reader.readUntil(isCaughtUp);
        expect(eventsIn(catchUp, id)).toEqual([]);
        const caughtUp = catchUp.at(-1);
        if (caughtUp?.type === 'caught-up') {
          expect((caughtUp.position ?? -1n) >= before.position).toBe(true);
        }
        await store.appendToStream(id, [newEvent('After')], { expectedRevision: 0n });
        const live = await reader.eventsOf([id], 1);
        expect(live.map((event) => event.type)).toEqual(['After']);
      } finally {
        await reader.subscription.close();
      }
    });

    it('delivers events of all streams in global order', async (context) => {
      const store = storeFor(context);
      const prefix = `order${randomUUID().replaceAll('-', '')}-`;
      const ids = [`${prefix}a`, `${prefix}b`, `${prefix}c`];
      const reader = new SubscriptionReader(
        store.subscribeToAll({ fromPosition: 'end', filter: { streamPrefixes: [prefix] } }),
      );
      try {
        await reader.readUntil(isCaughtUp);
        const positions: bigint[] = [];
        for (let round = 0; round < 3; round += 1) {
          for (const id of ids) {
            const result = await store.appendToStream(id, [newEvent(`R${round}`)], {
              expectedRevision: 'any',
            });
            positions.push(result.position);
          }
        }
        const delivered = await reader.eventsOf(ids, 9);
        expect(delivered.map((event) => event.position)).toEqual(positions);
      } finally {
        await reader.subscription.close();
      }
    });

    it('sends checkpoints across events its filter leaves out', async (context) => {
      const store = storeFor(context);
      const id = streamId('sub');
      const start = await store.appendToStream(id, [newEvent('Start')], {
        expectedRevision: 'no_stream',
      });
      const reader = new SubscriptionReader(
        store.subscribeToAll({
          fromPosition: start.position,
          checkpointInterval: 2,
          filter: { streamPrefixes: [id], eventTypes: ['Marker'] },
        }),
      );
      try {
        await reader.readUntil(isCaughtUp);
        let revision = 0n;
        for (let n = 0; n < 6; n += 1) {
          await store.appendToStream(id, [newEvent('Noise')], { expectedRevision: revision });
          revision += 1n;
        }
        const marker = await store.appendToStream(id, [newEvent('Marker')], {
          expectedRevision: revision,
        });
        const messages = await reader.readUntil((message) => message.type === 'event');
        const delivered = messages.at(-1);
        expect(delivered?.type === 'event' && delivered.event.type).toBe('Marker');
        expect(delivered?.type === 'event' && delivered.event.position).toBe(marker.position);
        const checkpoints = messages.flatMap((message) =>
          message.type === 'checkpoint' ? [message.position] : [],
        );
        expect(checkpoints.length).toBeGreaterThanOrEqual(3);
        checkpoints.forEach((position, index) => {
          expect(position > start.position && position < marker.position).toBe(true);
          if (index > 0) expect(position > nth(checkpoints, index - 1)).toBe(true);
        });
        expect(messages.filter((message) => message.type === 'event')).toHaveLength(1);
      } finally {
        await reader.subscription.close();
      }
    });

    it('ends iteration when closed, also while waiting for events', async (context) => {
      const store = storeFor(context);
      const reader = new SubscriptionReader(store.subscribeToAll({ fromPosition: 'end' }));
      await reader.readUntil(isCaughtUp);
      const waiting = reader.next();
      await reader.subscription.close();
      expect((await waiting).done).toBe(true);
      expect((await reader.next()).done).toBe(true);
    });

    it('ends when the consumer breaks out of the loop', async (context) => {
      const store = storeFor(context);
      const id = streamId('sub');
      await store.appendToStream(id, [newEvent('A'), newEvent('B')], {
        expectedRevision: 'no_stream',
      });
      const subscription = store.subscribeToAll({ filter: { streamPrefixes: [id] } });
      const seen: string[] = [];
      for await (const message of subscription) {
        if (message.type === 'event') seen.push(message.event.type);
        if (seen.length === 1) break;
      }
      expect(seen).toEqual(['A']);
      const after = await subscription[Symbol.asyncIterator]().next();
      expect(after.done).toBe(true);
      await store.appendToStream(id, [newEvent('C')], { expectedRevision: 1n });
    });
  });

  describe('health', () => {
    it('answers ping', async (context) => {
      const store = storeFor(context);
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
};
