import {
  EventStoreUnavailableError,
  ExpectedRevisionConflictError,
  GENESIS_HASH,
  PartialDuplicateAppendError,
  chainHash,
} from '@twinning/event-store';
import type {
  EventStore,
  EventToAppend,
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from '@twinning/event-store';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { UnreadableEventError } from './errors.js';
import { createEsdbEventStoreWithClient } from './esdb-event-store.js';
import { InMemoryEsdbClient } from './test-support/in-memory-esdb-client.js';

const event = (type: string, data: EventToAppend['data'] = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: randomUUID() },
});

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

/** The next `count` messages of a subscription, failing the test rather than hanging. */
const take = async (
  iterator: AsyncIterator<SubscriptionMessage>,
  count: number,
): Promise<SubscriptionMessage[]> => {
  const messages: SubscriptionMessage[] = [];
  while (messages.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`only ${messages.length} messages arrived`)),
        2_000,
      );
    });
    const next = await Promise.race([iterator.next(), timeout]).finally(() => clearTimeout(timer));
    if (next.done === true) break;
    messages.push(next.value);
  }
  return messages;
};

const describeMessage = (message: SubscriptionMessage): string => {
  switch (message.type) {
    case 'event':
      return `${message.event.streamId}:${message.event.type}`;
    case 'caught-up':
      return 'caught-up';
    case 'checkpoint':
      return 'checkpoint';
    default: {
      const _exhaustive: never = message;
      return String(_exhaustive);
    }
  }
};

const assertChained = (events: readonly RecordedEvent[]): void => {
  let prevHash = GENESIS_HASH;
  events.forEach((recorded, index) => {
    expect(recorded.revision).toBe(BigInt(index));
    expect(recorded.prevHash).toBe(prevHash);
    expect(recorded.hash).toBe(chainHash(prevHash, recorded));
    prevHash = recorded.hash;
  });
};

describe('EventStoreDB adapter on an in-memory server', () => {
  let server: InMemoryEsdbClient;
  let store: EventStore;

  beforeEach(() => {
    server = new InMemoryEsdbClient();
    store = createEsdbEventStoreWithClient(server.asClient(), {
      resubscribeBackoff: { initialMs: 5, maxMs: 20 },
    });
    // ESDB's own bookkeeping shares $all with the application's events.
    server.writeRaw('$settings', '$settings', { acl: {} });
  });

  describe('appendToStream', () => {
    it('stores events with their revision, position and an unbroken hash chain', async () => {
      const proposed = event('AgreementProposed', { proposer: 'Coventry', partner: 'Kiel' });
      const accepted = event('TermsAccepted', { party: 'Kiel' });
      const result = await store.appendToStream('agreement-1', [proposed, accepted], {
        expectedRevision: 'no_stream',
      });
      const stored = await collect(store.readStream('agreement-1'));
      expect(stored.map((recorded) => recorded.id)).toEqual([proposed.id, accepted.id]);
      expect(stored[1]!.data).toEqual({ party: 'Kiel' });
      expect(stored[1]!.metadata).toEqual(accepted.metadata);
      expect(result).toEqual({ nextExpectedRevision: 1n, position: stored[1]!.position });
      expect(stored[0]!.position < stored[1]!.position).toBe(true);
      assertChained(stored);
    });

    it('continues the chain across appends at an exact revision', async () => {
      const first = await store.appendToStream('agreement-1', [event('AgreementProposed')], {
        expectedRevision: 'no_stream',
      });
      await store.appendToStream('agreement-1', [event('TermsAccepted')], {
        expectedRevision: first.nextExpectedRevision,
      });
      await store.appendToStream('agreement-1', [event('TermsAgreed')], {
        expectedRevision: 'stream_exists',
      });
      await store.appendToStream('agreement-1', [event('AgreementSigned')], {
        expectedRevision: 'any',
      });
      assertChained(await collect(store.readStream('agreement-1')));
    });

    it('reports a conflict with the revision the stream actually has', async () => {
      await store.appendToStream(
        'agreement-1',
        [event('AgreementProposed'), event('TermsAccepted')],
        {
          expectedRevision: 'no_stream',
        },
      );
      const stale = store.appendToStream('agreement-1', [event('TermsCounterProposed')], {
        expectedRevision: 0n,
      });
      await expect(stale).rejects.toBeInstanceOf(ExpectedRevisionConflictError);
      await expect(stale).rejects.toMatchObject({ expected: 0n, actual: 1n });
      await expect(
        store.appendToStream('agreement-1', [event('AgreementProposed')], {
          expectedRevision: 'no_stream',
        }),
      ).rejects.toMatchObject({ expected: 'no_stream', actual: 1n });
      await expect(
        store.appendToStream('agreement-2', [event('TermsAccepted')], { expectedRevision: 3n }),
      ).rejects.toMatchObject({ expected: 3n, actual: 'no_stream' });
      await expect(
        store.appendToStream('agreement-2', [event('TermsAccepted')], {
          expectedRevision: 'stream_exists',
        }),
      ).rejects.toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
      expect(await collect(store.readStream('agreement-1'))).toHaveLength(2);
    });

    it('answers a retry with a stale revision with the original result and appends nothing', async () => {
      const batch = [event('AgreementProposed'), event('TermsAccepted')];
      const original = await store.appendToStream('agreement-1', batch, {
        expectedRevision: 'no_stream',
      });
      await store.appendToStream('agreement-1', [event('TermsAgreed')], {
        expectedRevision: original.nextExpectedRevision,
      });
      const logSize = server.log.length;
      const retry = await store.appendToStream('agreement-1', batch, {
        expectedRevision: 'no_stream',
      });
      expect(retry).toEqual(original);
      expect(server.log).toHaveLength(logSize);
    });

    it("answers a retry with 'any' from the stream itself, not the server's short memory", async () => {
      const batch = [event('AgreementProposed')];
      const original = await store.appendToStream('agreement-1', batch, {
        expectedRevision: 'any',
      });
      await store.appendToStream('agreement-1', [event('TermsAccepted')], {
        expectedRevision: 'any',
      });
      const retry = await store.appendToStream('agreement-1', batch, { expectedRevision: 'any' });
      expect(retry).toEqual(original);
      expect(await collect(store.readStream('agreement-1'))).toHaveLength(2);
    });

    it('refuses an append that repeats only some earlier ids', async () => {
      const proposed = event('AgreementProposed');
      await store.appendToStream('agreement-1', [proposed], { expectedRevision: 'no_stream' });
      const mixed = store.appendToStream('agreement-1', [proposed, event('TermsAccepted')], {
        expectedRevision: 'no_stream',
      });
      await expect(mixed).rejects.toBeInstanceOf(PartialDuplicateAppendError);
      await expect(mixed).rejects.toMatchObject({ duplicateEventIds: [proposed.id] });
    });

    it("re-reads the head when another writer wins the race under 'any', so the chain never forks", async () => {
      await store.appendToStream('agreement-1', [event('AgreementProposed')], {
        expectedRevision: 'no_stream',
      });
      const append = server.appendToStream.bind(server);
      let raced = false;
      server.appendToStream = async (streamName, events, options) => {
        if (!raced && streamName === 'agreement-1') {
          raced = true;
          await store.appendToStream('agreement-1', [event('TermsCounterProposed')], {
            expectedRevision: 0n,
          });
        }
        return append(streamName, events, options);
      };
      const result = await store.appendToStream('agreement-1', [event('TermsAccepted')], {
        expectedRevision: 'any',
      });
      const stored = await collect(store.readStream('agreement-1'));
      expect(stored.map((recorded) => recorded.type)).toEqual([
        'AgreementProposed',
        'TermsCounterProposed',
        'TermsAccepted',
      ]);
      expect(result.nextExpectedRevision).toBe(2n);
      assertChained(stored);
    });

    it('gives up after a bounded number of lost races', async () => {
      const bounded = createEsdbEventStoreWithClient(server.asClient(), { maxAppendAttempts: 2 });
      await bounded.appendToStream('agreement-1', [event('AgreementProposed')], {
        expectedRevision: 'no_stream',
      });
      const rival = createEsdbEventStoreWithClient(server.asClient());
      const append = server.appendToStream.bind(server);
      let attempts = 0;
      let rivalWriting = false;
      server.appendToStream = async (streamName, events, options) => {
        if (!rivalWriting && streamName === 'agreement-1') {
          attempts += 1;
          rivalWriting = true;
          await rival.appendToStream('agreement-1', [event('TermsCounterProposed')], {
            expectedRevision: 'any',
          });
          rivalWriting = false;
        }
        return append(streamName, events, options);
      };
      await expect(
        bounded.appendToStream('agreement-1', [event('TermsAccepted')], {
          expectedRevision: 'any',
        }),
      ).rejects.toBeInstanceOf(ExpectedRevisionConflictError);
      expect(attempts).toBe(2);
    });

    it.each([
      ['no events', 'agreement-1', []],
      ['an empty stream id', '', [event('AgreementProposed')]],
      ['a system stream id', '$agreement-1', [event('AgreementProposed')]],
      ['a non-uuid id', 'agreement-1', [{ ...event('AgreementProposed'), id: 'one' }]],
      ['an id twice', 'agreement-1', ((e) => [e, e])(event('AgreementProposed'))],
    ])(
      'refuses %s with a TypeError before touching the server',
      async (_what, streamId, events) => {
        await expect(
          store.appendToStream(streamId, events, { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(TypeError);
        expect(server.log).toHaveLength(1);
      },
    );

    it('refuses a negative expected revision', async () => {
      await expect(
        store.appendToStream('agreement-1', [event('AgreementProposed')], {
          expectedRevision: -1n,
        }),
      ).rejects.toBeInstanceOf(TypeError);
    });

    it('reports a lost connection as EventStoreUnavailableError', async () => {
      server.unavailable = true;
      await expect(
        store.appendToStream('agreement-1', [event('AgreementProposed')], {
          expectedRevision: 'no_stream',
        }),
      ).rejects.toBeInstanceOf(EventStoreUnavailableError);
    });
  });

  describe('readStream', () => {
    beforeEach(async () => {
      await store.appendToStream(
        'agreement-1',
        ['AgreementProposed', 'TermsAccepted', 'TermsAgreed', 'AgreementSigned'].map((type) =>
          event(type),
        ),
        { expectedRevision: 'no_stream' },
      );
    });

    it('reads a stream that does not exist as empty', async () => {
      expect(await collect(store.readStream('agreement-unknown'))).toEqual([]);
    });

    it('reads from a revision, in either direction, up to maxCount', async () => {
      const types = async (options: Parameters<EventStore['readStream']>[1]) =>
        (await collect(store.readStream('agreement-1', options))).map((recorded) => recorded.type);
      expect(await types({ fromRevision: 2n })).toEqual(['TermsAgreed', 'AgreementSigned']);
      expect(await types({ direction: 'backwards', maxCount: 2 })).toEqual([
        'AgreementSigned',
        'TermsAgreed',
      ]);
      expect(await types({ direction: 'backwards', fromRevision: 1n })).toEqual([
        'TermsAccepted',
        'AgreementProposed',
      ]);
      expect(await types({ maxCount: 0 })).toEqual([]);
    });

    it('stops the server read when the caller stops early', async () => {
      for await (const recorded of store.readStream('agreement-1')) {
        expect(recorded.revision).toBe(0n);
        break;
      }
    });

    it('refuses to pass off an event it did not write', async () => {
      server.writeRaw('agreement-1', 'ImportedByHand', { note: 'no chain' });
      await expect(collect(store.readStream('agreement-1'))).rejects.toBeInstanceOf(
        UnreadableEventError,
      );
    });

    it('refuses a negative maxCount or revision', () => {
      expect(() => store.readStream('agreement-1', { maxCount: -1 })).toThrow(RangeError);
      expect(() => store.readStream('agreement-1', { fromRevision: -1n })).toThrow(RangeError);
    });
  });

  describe('readAll', () => {
    let all: RecordedEvent[];

    beforeEach(async () => {
      await store.appendToStream('agreement-1', [event('AgreementProposed')], {
        expectedRevision: 'no_stream',
      });
      server.writeRaw('$$agreement-1', '$metadata', { $maxCount: 10 });
      await store.appendToStream('city-coventry', [event('CityRegistered')], {
        expectedRevision: 'no_stream',
      });
      server.writeRaw('legacy-import', 'LegacyRow', { row: 1 });
      await store.appendToStream(
        'agreement-2',
        [event('AgreementProposed'), event('TermsAccepted')],
        {
          expectedRevision: 'no_stream',
        },
      );
      all = await collect(store.readAll());
    });

    it('reads every event in global order, without system or foreign events', () => {
      expect(all.map((recorded) => `${recorded.streamId}:${recorded.type}`)).toEqual([
        'agreement-1:AgreementProposed',
        'city-coventry:CityRegistered',
        'agreement-2:AgreementProposed',
        'agreement-2:TermsAccepted',
      ]);
      const positions = all.map((recorded) => recorded.position);
      expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    });

    it('reads forwards from a position, inclusive', async () => {
      const fromSecond = await collect(store.readAll({ fromPosition: all[1]!.position }));
      expect(fromSecond).toEqual(all.slice(1));
    });

    it('reads backwards from a position, inclusive', async () => {
      const backwards = await collect(
        store.readAll({ direction: 'backwards', fromPosition: all[2]!.position }),
      );
      expect(backwards).toEqual(all.slice(0, 3).reverse());
      expect(await collect(store.readAll({ direction: 'backwards' }))).toEqual([...all].reverse());
    });

    it('filters by stream prefix and event type, counting only kept events', async () => {
      const agreements = await collect(
        store.readAll({ filter: { streamPrefixes: ['agreement-'] } }),
      );
      expect(agreements.map((recorded) => recorded.streamId)).toEqual([
        'agreement-1',
        'agreement-2',
        'agreement-2',
      ]);
      const proposals = await collect(
        store.readAll({ filter: { eventTypes: ['AgreementProposed'] }, maxCount: 2 }),
      );
      expect(proposals.map((recorded) => recorded.streamId)).toEqual([
        'agreement-1',
        'agreement-2',
      ]);
      const lastTwo = await collect(store.readAll({ direction: 'backwards', maxCount: 2 }));
      expect(lastTwo).toEqual(all.slice(2).reverse());
    });
  });

  describe('subscribeToAll', () => {
    let subscription: Subscription | undefined;

    const subscribe = (options: Parameters<EventStore['subscribeToAll']>[0]) => {
      subscription = store.subscribeToAll(options);
      return subscription[Symbol.asyncIterator]();
    };

    beforeEach(async () => {
      await subscription?.close();
      subscription = undefined;
      await store.appendToStream(
        'agreement-1',
        [event('AgreementProposed'), event('TermsAccepted')],
        {
          expectedRevision: 'no_stream',
        },
      );
    });

    it('catches up, says so once, then delivers live events', async () => {
      const messages = subscribe({});
      expect((await take(messages, 3)).map(describeMessage)).toEqual([
        'agreement-1:AgreementProposed',
        'agreement-1:TermsAccepted',
        'caught-up',
      ]);
      await store.appendToStream('agreement-1', [event('TermsAgreed')], { expectedRevision: 1n });
      server.writeRaw('$$agreement-1', '$metadata', {});
      await store.appendToStream('agreement-1', [event('AgreementSigned')], {
        expectedRevision: 2n,
      });
      expect((await take(messages, 2)).map(describeMessage)).toEqual([
        'agreement-1:TermsAgreed',
        'agreement-1:AgreementSigned',
      ]);
      await subscription!.close();
      expect(await messages.next()).toEqual({ done: true, value: undefined });
    });

    it('starts after the given position and reports it when already caught up', async () => {
      const stored = await collect(store.readAll());
      const messages = subscribe({ fromPosition: stored[0]!.position });
      const [first, second] = await take(messages, 2);
      expect(first).toMatchObject({ type: 'event', event: { id: stored[1]!.id } });
      expect(second).toEqual({ type: 'caught-up', position: stored[1]!.position });
    });

    it("from 'end', delivers only events appended after subscribing", async () => {
      const messages = subscribe({ fromPosition: 'end' });
      const [caughtUp] = await take(messages, 1);
      expect(caughtUp?.type).toBe('caught-up');
      await store.appendToStream('agreement-1', [event('TermsAgreed')], { expectedRevision: 1n });
      expect((await take(messages, 1)).map(describeMessage)).toEqual(['agreement-1:TermsAgreed']);
    });

    const readUntilCaughtUp = async (
      messages: AsyncIterator<SubscriptionMessage>,
    ): Promise<SubscriptionMessage[]> => {
      const received: SubscriptionMessage[] = [];
      while (received.at(-1)?.type !== 'caught-up') received.push(...(await take(messages, 1)));
      return received;
    };

    const checkpointsIn = (messages: readonly SubscriptionMessage[]): bigint[] =>
      messages.flatMap((message) => (message.type === 'checkpoint' ? [message.position] : []));

    it('filters on the server and sends checkpoints across filtered-out events', async () => {
      for (let index = 0; index < 4; index++) {
        await store.appendToStream(`city-${index}`, [event('CityRegistered')], {
          expectedRevision: 'no_stream',
        });
      }
      const messages = subscribe({
        filter: { eventTypes: ['TermsAccepted'] },
        checkpointInterval: 2,
      });
      const received = await readUntilCaughtUp(messages);
      const events = received.filter((message) => message.type === 'event');
      expect(events.map(describeMessage)).toEqual(['agreement-1:TermsAccepted']);
      const checkpoints = checkpointsIn(received);
      expect(checkpoints.length).toBeGreaterThanOrEqual(3);
      checkpoints.forEach((position, index) => {
        if (index > 0) expect(position > checkpoints[index - 1]!).toBe(true);
        expect(server.log.some((stored) => stored.position === position)).toBe(true);
      });
      const lastCity = (await collect(store.readAll({ direction: 'backwards', maxCount: 1 })))[0]!;
      expect(checkpoints.at(-1)! > events[0]!.event.position).toBe(true);
      expect(checkpoints.at(-1)! <= lastCity.position).toBe(true);
    });

    it('sends checkpoints across events it drops itself, past the server filter', async () => {
      server.sendsCheckpoints = false;
      const messages = subscribe({
        filter: { streamPrefixes: ['agreement-'], eventTypes: ['AgreementSigned'] },
        checkpointInterval: 2,
      });
      await readUntilCaughtUp(messages);
      const noise: bigint[] = [];
      for (let revision = 1n; revision < 7n; revision++) {
        const result = await store.appendToStream('agreement-1', [event('TermsCounterProposed')], {
          expectedRevision: revision,
        });
        noise.push(result.position);
      }
      await store.appendToStream('agreement-1', [event('AgreementSigned')], {
        expectedRevision: 7n,
      });
      const received: SubscriptionMessage[] = [];
      while (received.at(-1)?.type !== 'event') received.push(...(await take(messages, 1)));
      expect(checkpointsIn(received)).toEqual([noise[1], noise[3], noise[5]]);
      expect(describeMessage(received.at(-1)!)).toBe('agreement-1:AgreementSigned');
    });

    it('resubscribes from the last delivered event after a dropped connection', async () => {
      const messages = subscribe({});
      await take(messages, 3);
      server.dropSubscriptions();
      await store.appendToStream('agreement-1', [event('TermsAgreed')], { expectedRevision: 1n });
      await store.appendToStream('agreement-1', [event('AgreementSigned')], {
        expectedRevision: 2n,
      });
      expect((await take(messages, 2)).map(describeMessage)).toEqual([
        'agreement-1:TermsAgreed',
        'agreement-1:AgreementSigned',
      ]);
      const [, resumedFrom] = server.subscribeCalls;
      const delivered = await collect(store.readAll());
      expect(resumedFrom).toEqual({
        commit: delivered[1]!.position,
        prepare: delivered[1]!.position,
      });
    });

    it('finds its own way to caught-up on servers that do not say so', async () => {
      server.sendsCaughtUp = false;
      const messages = subscribe({});
      expect((await take(messages, 3)).map(describeMessage)).toEqual([
        'agreement-1:AgreementProposed',
        'agreement-1:TermsAccepted',
        'caught-up',
      ]);
    });

    it('refuses a non-positive checkpoint interval', () => {
      expect(() => store.subscribeToAll({ checkpointInterval: 0 })).toThrow(RangeError);
    });

    it('ends open subscriptions and refuses further work when the store closes', async () => {
      const messages = subscribe({});
      await take(messages, 3);
      await store.close();
      expect(await messages.next()).toEqual({ done: true, value: undefined });
      expect(server.disposed).toBe(true);
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    });
  });
});
