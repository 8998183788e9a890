import type { RecordedEvent, SubscriptionMessage } from '@twinning/event-store';
import { describe, expect, it } from 'vitest';
import { batchMessages, readAhead, type MessageBatch } from './message-batches.js';

const eventAt = (position: bigint): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
  streamId: 'counter-a',
  type: 'Counted',
  data: {},
  metadata: {},
  revision: position,
  position,
  storedAt: new Date(0),
  prevHash: '',
  hash: '',
});

/** A subscription's pages fed by the test: each `push` is one page, `end()` finishes it. */
const feed = () => {
  type Page = readonly SubscriptionMessage[];
  const queue: Page[] = [];
  const waiting: ((result: IteratorResult<Page>) => void)[] = [];
  let ended = false;
  const iterator: AsyncIterator<Page> = {
    next: () => {
      const page = queue.shift();
      if (page !== undefined) return Promise.resolve({ done: false, value: page });
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
  return {
    iterator,
    push(...page: SubscriptionMessage[]) {
      const resolve = waiting.shift();
      if (resolve !== undefined) resolve({ done: false, value: page });
      else queue.push(page);
    },
    end() {
      ended = true;
      for (const resolve of waiting.splice(0)) resolve({ done: true, value: undefined });
    },
  };
};

const positionsOf = (batch: MessageBatch) => ({
  events: batch.events.map((event) => event.position),
  upTo: batch.upTo,
  caughtUp: batch.caughtUp,
});

describe('batchMessages', () => {
  it('hands on a batch as soon as it holds maxEvents events', async () => {
    const source = feed();
    source.push(
      ...[1n, 2n, 3n, 4n, 5n].map((p) => ({ type: 'event' as const, event: eventAt(p) })),
    );
    const batches = batchMessages(source.iterator, { maxEvents: 2, maxWaitMs: 10_000 });
    expect(positionsOf((await batches.next()).value as MessageBatch)).toEqual({
      events: [1n, 2n],
      upTo: 2n,
      caughtUp: false,
    });
    expect(positionsOf((await batches.next()).value as MessageBatch)).toEqual({
      events: [3n, 4n],
      upTo: 4n,
      caughtUp: false,
    });
    source.end();
    expect(positionsOf((await batches.next()).value as MessageBatch)).toEqual({
      events: [5n],
      upTo: 5n,
      caughtUp: false,
    });
    expect((await batches.next()).done).toBe(true);
  });

  it('splits a page across batches and keeps what follows for the next', async () => {
    const source = feed();
    source.push({ type: 'event', event: eventAt(1n) });
    source.push(
      ...[2n, 3n, 4n].map((p) => ({ type: 'event' as const, event: eventAt(p) })),
      { type: 'checkpoint', position: 6n },
      { type: 'caught-up', position: 6n },
    );
    const batches = batchMessages(source.iterator, { maxEvents: 3, maxWaitMs: 10_000 });
    expect(positionsOf((await batches.next()).value as MessageBatch)).toEqual({
      events: [1n, 2n, 3n],
      upTo: 3n,
      caughtUp: false,
    });
    expect(positionsOf((await batches.next()).value as MessageBatch)).toEqual({
      events: [4n],
      upTo: 6n,
      caughtUp: true,
    });
  });

  it('hands on a partial batch once it has waited maxWaitMs, without waiting for more', async () => {
    const source = feed();
    source.push({ type: 'event', event: eventAt(7n) });
    const batches = batchMessages(source.iterator, { maxEvents: 500, maxWaitMs: 20 });
    const started = performance.now();
    const batch = (await batches.next()).value as MessageBatch;
    expect(positionsOf(batch)).toEqual({ events: [7n], upTo: 7n, caughtUp: false });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('closes the batch at once when the subscription catches up', async () => {
    const source = feed();
    source.push(
      { type: 'event', event: eventAt(1n) },
      { type: 'checkpoint', position: 9n },
      { type: 'caught-up', position: 12n },
    );
    const batches = batchMessages(source.iterator, { maxEvents: 500, maxWaitMs: 10_000 });
    expect(positionsOf((await batches.next()).value as MessageBatch)).toEqual({
      events: [1n],
      upTo: 12n,
      caughtUp: true,
    });
  });

  it('moves the checkpoint past filtered-out events with a batch of no events', async () => {
    const source = feed();
    source.push({ type: 'checkpoint', position: 1000n });
    source.end();
    const batches = batchMessages(source.iterator, { maxEvents: 500, maxWaitMs: 10_000 });
    expect(positionsOf((await batches.next()).value as MessageBatch)).toEqual({
      events: [],
      upTo: 1000n,
      caughtUp: false,
    });
  });

  it('reports an empty log as caught up with no position', async () => {
    const source = feed();
    source.push({ type: 'caught-up', position: undefined });
    const batches = batchMessages(source.iterator, { maxEvents: 500, maxWaitMs: 10_000 });
    expect(positionsOf((await batches.next()).value as MessageBatch)).toEqual({
      events: [],
      upTo: undefined,
      caughtUp: true,
    });
  });
});

describe('readAhead', () => {
  /** A source of 1, 2, … that counts how often it was asked, and fails where told. */
  const counting = (options: { readonly length: number; readonly failAt?: number }) => {
    const state = { asked: 0, returned: false };
    const iterator: AsyncIterator<number> = {
      next: () => {
        state.asked += 1;
        if (state.asked === options.failAt) return Promise.reject(new Error('connection lost'));
        return Promise.resolve(
          state.asked > options.length
            ? { done: true, value: undefined }
            : { done: false, value: state.asked },
        );
      },
      return: () => {
        state.returned = true;
        return Promise.resolve({ done: true, value: undefined });
      },
    };
    return { iterator, state };
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

  it('hands on every result in order, then the end, again and again', async () => {
    const { iterator } = counting({ length: 5 });
    const ahead = readAhead(iterator, 2);
    const seen: number[] = [];
    for (let result = await ahead.next(); result.done !== true; result = await ahead.next()) {
      seen.push(result.value);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(await ahead.next()).toEqual({ done: true, value: undefined });
  });

  it('reads up to its capacity ahead while the consumer is busy, and no further', async () => {
    const { iterator, state } = counting({ length: 100 });
    const ahead = readAhead(iterator, 3);
    expect(await ahead.next()).toEqual({ done: false, value: 1 });
    await settle();
    // The one handed on, and three waiting in the buffer.
    expect(state.asked).toBe(4);
    await ahead.next();
    await settle();
    expect(state.asked).toBe(5);
  });

  it('weighs each result as told: pages by their messages', async () => {
    const { iterator, state } = counting({ length: 100 });
    // Result n weighs n: after the first is handed on, 2 + 3 + 4 reach the capacity of 9.
    const ahead = readAhead(iterator, 9, (value) => value);
    expect(await ahead.next()).toEqual({ done: false, value: 1 });
    await settle();
    expect(state.asked).toBe(4);
    // Handing on 2 leaves 3 + 4 = 7 waiting: one more (5) brings it to 12, past the capacity.
    await ahead.next();
    await settle();
    expect(state.asked).toBe(5);
    await ahead.next();
    await settle();
    expect(state.asked).toBe(5);
  });

  it('passes a failure on after the results read before it', async () => {
    const { iterator } = counting({ length: 10, failAt: 3 });
    const ahead = readAhead(iterator, 5);
    expect((await ahead.next()).value).toBe(1);
    expect((await ahead.next()).value).toBe(2);
    await expect(ahead.next()).rejects.toThrow('connection lost');
  });

  it('stops reading and closes the source when the consumer returns', async () => {
    const { iterator, state } = counting({ length: 100 });
    const ahead = readAhead(iterator, 2);
    await ahead.next();
    await ahead.return?.();
    const asked = state.asked;
    await settle();
    expect(state.returned).toBe(true);
    expect(state.asked).toBe(asked);
    expect(await ahead.next()).toEqual({ done: true, value: undefined });
  });
});
