import type { RecordedEvent, SubscriptionMessage } from '@twinning/event-store';
import { describe, expect, it } from 'vitest';
import { batchMessages, type MessageBatch } from './message-batches.js';

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

/** A subscription fed by the test: messages arrive when pushed, `end()` finishes it. */
const feed = () => {
  const queue: SubscriptionMessage[] = [];
  const waiting: ((result: IteratorResult<SubscriptionMessage>) => void)[] = [];
  let ended = false;
  const iterator: AsyncIterator<SubscriptionMessage> = {
    next: () => {
      const message = queue.shift();
      if (message !== undefined) return Promise.resolve({ done: false, value: message });
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
  return {
    iterator,
    push(...messages: SubscriptionMessage[]) {
      for (const message of messages) {
        const resolve = waiting.shift();
        if (resolve !== undefined) resolve({ done: false, value: message });
        else queue.push(message);
      }
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
