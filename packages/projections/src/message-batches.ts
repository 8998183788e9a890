import type { RecordedEvent, SubscriptionMessage } from '@twinning/event-store';

export interface MessageBatch {
  readonly events: readonly RecordedEvent[];
  /** Everything up to this position has been considered (applied or filtered out). */
  readonly upTo: bigint | undefined;
  /** The subscription had delivered everything stored when this batch closed. */
  readonly caughtUp: boolean;
}

export interface BatchingOptions {
  readonly maxEvents: number;
  /** How long a batch with something in it may wait for more before it is handed on. */
  readonly maxWaitMs: number;
}

const maxOf = (a: bigint | undefined, b: bigint | undefined): bigint | undefined =>
  a === undefined ? b : b === undefined || a >= b ? a : b;

/**
 * Groups subscription messages, read a page at a time (`Subscription.pages()`), into batches of
 * at most `maxEvents` events, handing a batch on once it is full, once `maxWaitMs` has passed
 * since its first message, or at once when the subscription catches up. The next page is read
 * while the caller applies a batch.
 */
export async function* batchMessages(
  pages: AsyncIterator<readonly SubscriptionMessage[]>,
  options: BatchingOptions,
): AsyncGenerator<MessageBatch> {
  let pending: Promise<IteratorResult<readonly SubscriptionMessage[]>> | undefined;
  let events: RecordedEvent[] = [];
  let upTo: bigint | undefined;
  let dirty = false;
  let deadline = 0;

  const take = (caughtUp: boolean): MessageBatch => {
    const batch = { events, upTo, caughtUp };
    events = [];
    dirty = false;
    return batch;
  };

  for (;;) {
    if (pending === undefined) {
      pending = pages.next();
      // A close() while nobody waits must not surface as an unhandled rejection.
      pending.catch(() => undefined);
    }
    let result: IteratorResult<readonly SubscriptionMessage[]> | 'timeout';
    if (!dirty) {
      result = await pending;
    } else {
      const waitMs = deadline - performance.now();
      if (waitMs <= 0) {
        yield take(false);
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), waitMs);
      });
      try {
        result = await Promise.race([pending, timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (result === 'timeout') {
        yield take(false);
        continue;
      }
    }
    pending = undefined;
    if (result.done === true) {
      if (dirty) yield take(false);
      return;
    }
    for (const message of result.value) {
      if (!dirty) deadline = performance.now() + options.maxWaitMs;
      switch (message.type) {
        case 'event':
          events.push(message.event);
          upTo = maxOf(upTo, message.event.position);
          dirty = true;
          if (events.length >= options.maxEvents) yield take(false);
          break;
        case 'checkpoint':
          upTo = maxOf(upTo, message.position);
          dirty = true;
          break;
        case 'caught-up':
          upTo = maxOf(upTo, message.position);
          yield take(true);
          break;
        default: {
          const _exhaustive: never = message;
          throw new Error(`unknown subscription message ${String(_exhaustive)}`);
        }
      }
    }
  }
}

/**
 * Keeps reading `source` into a buffer while the consumer is busy, so that reading the next
 * events overlaps applying the last ones, until the results buffered weigh `capacity` (each
 * weighs `weightOf`, 1 by default: a page may weigh its messages). Results, the end and a
 * failure reach the consumer in order; `return()` stops the reading and passes on to `source`.
 */
export const readAhead = <T>(
  source: AsyncIterator<T>,
  capacity: number,
  weightOf: (value: T) => number = () => 1,
): AsyncIterator<T> => {
  const buffer: IteratorResult<T>[] = [];
  let buffered = 0;
  const weight = (result: IteratorResult<T>): number =>
    result.done === true ? 0 : weightOf(result.value);
  let failure: { readonly error: unknown } | undefined;
  let ended: IteratorResult<T> | undefined;
  let stopped = false;
  let started = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (which: 'consumer' | 'producer'): void => {
    const waiting = which === 'consumer' ? wakeConsumer : wakeProducer;
    if (which === 'consumer') wakeConsumer = undefined;
    else wakeProducer = undefined;
    waiting?.();
  };

  const pump = async (): Promise<void> => {
    try {
      while (!stopped) {
        if (buffered >= capacity) {
          await new Promise<void>((resolve) => (wakeProducer = resolve));
          continue;
        }
        const result = await source.next();
        buffer.push(result);
        buffered += weight(result);
        wake('consumer');
        if (result.done === true) return;
      }
    } catch (error) {
      failure = { error };
      wake('consumer');
    }
  };

  return {
    async next(): Promise<IteratorResult<T>> {
      if (!started) {
        started = true;
        void pump();
      }
      for (;;) {
        if (ended !== undefined) return ended;
        const result = buffer.shift();
        if (result !== undefined) {
          buffered -= weight(result);
          wake('producer');
          if (result.done === true) ended = result;
          return result;
        }
        if (failure !== undefined) throw failure.error;
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
      }
    },
    async return(value?: unknown): Promise<IteratorResult<T>> {
      stopped = true;
      wake('producer');
      const result = (await source.return?.(value)) ?? { done: true, value: undefined };
      ended = { done: true, value: result.value as T };
      wake('consumer');
      return ended;
    },
  };
};
