import type { EventStore, RecordedEvent, SubscriptionMessage } from '@twinning/event-store';
import type { SqlClient, SqlSession } from '@twinning/sql';
import {
  AGREEMENT_STREAM_PREFIX,
  partiesFromStore,
  readCheckpoint,
  recordDeliveries,
  writeCheckpoint,
} from '@twinning/webhooks';
import type { Logger } from 'pino';

/** One follower across every dispatcher process: the holder of this advisory lock. */
export const FOLLOWER_LOCK = 'twinning.webhooks.follower';

export interface LogFollowerOptions {
  readonly store: EventStore;
  readonly sql: SqlClient;
  readonly logger: Logger;
  readonly now: () => Date;
  /** How often a process without the lock tries to take it (failover time). */
  readonly lockRetryMs: number;
  readonly batchSize?: number;
  /** Called after each commit that recorded deliveries, to wake this process's workers. */
  readonly onRecorded: (count: number) => void;
  readonly onProgress?: (progress: { position: bigint; lastEventStoredAt?: Date }) => void;
}

export interface LogFollower {
  readonly isLeader: () => boolean;
  /** True once this process leads and has recorded every event stored when it started. */
  readonly isCaughtUp: () => boolean;
  stop(): Promise<void>;
}

const IDLE = Symbol('idle');
const nextTurn = (): Promise<typeof IDLE> =>
  new Promise((resolve) => setImmediate(() => resolve(IDLE)));

/**
 * Follows the event store from its checkpoint and records deliveries. Recording and the
 * checkpoint commit together, so a crash between the two cannot lose or double-record events.
 * Only the holder of a session-level advisory lock follows; when its connection dies the lock is
 * released and another process takes over within `lockRetryMs`.
 */
export const startLogFollower = (options: LogFollowerOptions): LogFollower => {
  const batchSize = options.batchSize ?? 500;
  const lookupParties = partiesFromStore(options.store);
  let stopped = false;
  let leader = false;
  let caughtUp = false;
  let closeSubscription: (() => Promise<void>) | undefined;
  let wakeSleeper: (() => void) | undefined;

  const follow = async (session: SqlSession): Promise<void> => {
    const checkpoint = await readCheckpoint(session);
    const subscription = options.store.subscribeToAll({
      fromPosition: checkpoint ?? 'start',
      filter: { streamPrefixes: [AGREEMENT_STREAM_PREFIX] },
      checkpointInterval: batchSize,
    });
    closeSubscription = () => subscription.close();
    const iterator = subscription[Symbol.asyncIterator]();
    let buffer: RecordedEvent[] = [];
    let reached = checkpoint;
    let written = checkpoint;

    const flush = async (): Promise<void> => {
      if (reached === undefined || (buffer.length === 0 && reached === written)) return;
      const events = buffer;
      const position = reached;
      buffer = [];
      const now = options.now();
      const recorded = await session.transaction(async (tx) => {
        const count = await recordDeliveries(tx, events, {
          now,
          lookupParties,
          onUnreadable: (event, error) =>
            options.logger.error(
              { eventId: event.id, streamId: event.streamId, err: error },
              'event skipped: it cannot be read as an agreement event',
            ),
        });
        await writeCheckpoint(tx, position, now);
        return count;
      });
      written = position;
      const last = events.at(-1);
      options.onProgress?.({
        position,
        ...(last === undefined ? {} : { lastEventStoredAt: last.storedAt }),
      });
      if (recorded > 0) options.onRecorded(recorded);
    };

    try {
      let next = iterator.next();
      while (!stopped) {
        // Batch what is already buffered; commit as soon as the subscription has to wait.
        const ready: IteratorResult<SubscriptionMessage> | typeof IDLE =
          buffer.length === 0 && reached === written
            ? await next
            : await Promise.race([next, nextTurn()]);
        if (ready === IDLE) {
          await flush();
          continue;
        }
        if (ready.done === true) break;
        next = iterator.next();
        const message = ready.value;
        switch (message.type) {
          case 'event':
            buffer.push(message.event);
            reached = message.event.position;
            if (buffer.length >= batchSize) await flush();
            break;
          case 'checkpoint':
            if (reached === undefined || message.position > reached) reached = message.position;
            break;
          case 'caught-up':
            if (
              message.position !== undefined &&
              (reached === undefined || message.position > reached)
            ) {
              reached = message.position;
            }
            await flush();
            if (!caughtUp)
              options.logger.info({ position: reached?.toString() }, 'webhook follower caught up');
            caughtUp = true;
            break;
          default: {
            const _exhaustive: never = message;
            return _exhaustive;
          }
        }
      }
      await flush();
    } finally {
      closeSubscription = undefined;
      await subscription.close();
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async (): Promise<void> => {
    while (!stopped) {
      try {
        await options.sql.withSession(async (session) => {
          const { rows } = await session.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
            [FOLLOWER_LOCK],
          );
          if (rows[0]?.locked !== true) return;
          leader = true;
          options.logger.info('webhook follower took the lead');
          try {
            await follow(session);
          } finally {
            leader = false;
            caughtUp = false;
            await session
              .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [FOLLOWER_LOCK])
              .catch(() => undefined);
          }
        });
      } catch (error) {
        if (!stopped) options.logger.warn({ err: error }, 'webhook follower stopped; retrying');
      }
      if (!stopped) await sleep(options.lockRetryMs);
    }
  };

  const running = run();
  return {
    isLeader: () => leader,
    isCaughtUp: () => leader && caughtUp,
    async stop() {
      stopped = true;
      wakeSleeper?.();
      await closeSubscription?.();
      await running;
    },
  };
};
