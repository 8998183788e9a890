import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  EventStoreDBClient,
  Position,
  ReadPosition,
} from '@eventstore/db-client';
import { START } from '@eventstore/db-client';
import { EventStoreUnavailableError, pagesOfOne } from '@twinning/event-store';
import type {
  SubscribeToAllOptions,
  Subscription,
  SubscriptionMessage,
} from '@twinning/event-store';
import { decodeRecordedEvent } from './event-encoding.js';
import { buildServerFilter, matchesEventFilter } from './event-filter.js';
import { isTransient, translateEsdbError } from './error-translation.js';
import {
  fromEsdbCommitPosition,
  fromEsdbPosition,
  isEventPosition,
  toEsdbPosition,
} from './position.js';

export type SubscriptionClient = Pick<EventStoreDBClient, 'subscribeToAll'>;

export interface ResubscribeBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface EsdbSubscriptionDependencies {
  readonly client: SubscriptionClient;
  /** Position of the last event in `$all` (system events included), `undefined` when empty. */
  readonly readHeadPosition: () => Promise<bigint | undefined>;
  readonly backoff: ResubscribeBackoff;
  readonly onClosed: () => void;
}

const defaultCheckpointInterval = 1000;

/**
 * Signals the client raises beside the event stream (the `caughtUp` event, the
 * `checkpointReached` callback) are pushed into the subscription's own readable, so they reach
 * the iterator behind the events that came before them rather than overtaking buffered ones.
 */
class ServerSignal {
  constructor(
    readonly kind: 'caught-up' | 'checkpoint',
    readonly position?: Position,
  ) {}
}

/**
 * Catch-up then live over `$all`, server-side filtered. The subscription remembers the position
 * of the last event (or checkpoint) it handled and, when the connection drops, subscribes again
 * from there after a growing pause, until `close()`.
 */
export const openEsdbSubscription = (
  options: SubscribeToAllOptions,
  dependencies: EsdbSubscriptionDependencies,
): Subscription => {
  const { client, backoff } = dependencies;
  const { filter, fromPosition = 'start' } = options;
  const checkpointInterval = options.checkpointInterval ?? defaultCheckpointInterval;
  const serverFilter = buildServerFilter({ filter, checkpointInterval });
  if (typeof fromPosition === 'bigint') toEsdbPosition(fromPosition);

  let closed = false;
  let current: AllStreamSubscription | undefined;
  let wakeFromPause: (() => void) | undefined;

  // Read now, not on first iteration: 'end' means events appended after this call.
  const headAtStart = dependencies.readHeadPosition().then(
    (position) => ({ known: true as const, position }),
    () => ({ known: false as const, position: undefined }),
  );

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeFromPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const stopCurrent = async (): Promise<void> => {
    const subscription = current;
    current = undefined;
    if (subscription === undefined) return;
    try {
      await subscription.unsubscribe();
    } catch {
      // Already gone with the connection.
    }
    subscription.destroy();
  };

  async function* messages(): AsyncGenerator<SubscriptionMessage, void, undefined> {
    const head = await headAtStart;
    // The last position everything up to which has been considered; always an event position.
    let lastPosition: bigint | undefined;
    let caughtUpSent = false;
    // Events the server delivered since the last checkpoint message, whether kept or dropped
    // here: the server's checkpoints only count what its own filter leaves out.
    let sinceCheckpoint = 0;

    if (fromPosition === 'end') {
      if (!head.known) {
        throw new EventStoreUnavailableError(
          'cannot read the head of $all to subscribe from the end',
        );
      }
      lastPosition = head.position;
      caughtUpSent = true;
      yield { type: 'caught-up', position: lastPosition };
    } else if (typeof fromPosition === 'bigint') {
      lastPosition = fromPosition;
    }
    if (
      !caughtUpSent &&
      head.known &&
      (head.position === undefined || head.position <= (lastPosition ?? -1n))
    ) {
      caughtUpSent = true;
      yield { type: 'caught-up', position: lastPosition };
    }

    let delay = backoff.initialMs;
    while (!closed) {
      // The server skips the first event at or after the start: right, because it is always the
      // position of an event already handled.
      const start: ReadPosition = lastPosition === undefined ? START : toEsdbPosition(lastPosition);
      const subscription = client.subscribeToAll({
        fromPosition: start,
        filter: {
          ...serverFilter,
          checkpointReached: (source, position) => {
            source.push(new ServerSignal('checkpoint', position));
          },
        },
      });
      subscription.on('caughtUp', () => {
        subscription.push(new ServerSignal('caught-up'));
      });
      current = subscription;
      try {
        for await (const item of subscription as AsyncIterable<unknown>) {
          delay = backoff.initialMs;
          if (item instanceof ServerSignal) {
            if (item.kind === 'checkpoint') {
              if (item.position === undefined || !isEventPosition(item.position)) continue;
              const position = item.position.commit;
              if (lastPosition !== undefined && position <= lastPosition) continue;
              lastPosition = position;
              sinceCheckpoint = 0;
              yield { type: 'checkpoint', position };
            }
            if (!caughtUpSent && (item.kind === 'caught-up' || reachedHead(lastPosition))) {
              caughtUpSent = true;
              yield { type: 'caught-up', position: lastPosition };
            }
            continue;
          }
          const resolved = item as AllStreamResolvedEvent;
          const recorded = resolved.event;
          if (recorded === undefined) continue;
          const position =
            fromEsdbPosition(recorded.position) ?? fromEsdbCommitPosition(resolved.commitPosition);
          if (position === undefined) continue;
          if (lastPosition !== undefined && position <= lastPosition) continue;
          lastPosition = position;
          sinceCheckpoint += 1;
          const decoded = matchesEventFilter(filter, recorded.streamId, recorded.type)
            ? decodeRecordedEvent(recorded, resolved.commitPosition)
            : undefined;
          // Events without the chain metadata were written by someone else: not ours to deliver.
          if (decoded?.ok === true) {
            yield { type: 'event', event: decoded.event };
          } else if (sinceCheckpoint >= checkpointInterval) {
            sinceCheckpoint = 0;
            yield { type: 'checkpoint', position };
          }
          if (!caughtUpSent && reachedHead(lastPosition)) {
            caughtUpSent = true;
            yield { type: 'caught-up', position: lastPosition };
          }
        }
      } catch (error) {
        if (closed) return;
        if (!isTransient(error)) throw translateEsdbError(error);
      } finally {
        if (current === subscription) await stopCurrent();
      }
      if (closed) return;
      await pause(delay);
      delay = Math.min(delay * 2, backoff.maxMs);
    }

    // Servers before 23.10 send no caught-up message: reaching the head read at start is the sign.
    function reachedHead(position: bigint | undefined): boolean {
      return (
        head.known &&
        head.position !== undefined &&
        position !== undefined &&
        position >= head.position
      );
    }
  }

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    wakeFromPause?.();
    await stopCurrent();
    dependencies.onClosed();
  };

  async function* guarded(): AsyncGenerator<SubscriptionMessage, void, undefined> {
    try {
      for await (const message of messages()) {
        if (closed) return;
        yield message;
      }
    } finally {
      await close();
    }
  }

  const iterator = guarded();
  const pages = pagesOfOne(iterator);
  return {
    [Symbol.asyncIterator]: () => iterator,
    pages: () => pages,
    close,
  };
};
