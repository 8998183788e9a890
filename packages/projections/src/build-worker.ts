import type { EventStore, RecordedEvent } from '@twinning/event-store';
import { SqlError, SqlState, type SqlClient, type SqlTransaction } from '@twinning/sql';
import type { BuildRecord } from './build-record.js';
import {
  batchMessages,
  readAhead,
  type BatchingOptions,
  type MessageBatch,
} from './message-batches.js';
import type { Projection } from './projection.js';

/** How a run of one build ended. */
export type BuildRunOutcome =
  | { readonly kind: 'stopped' }
  /** An event could not be applied; it is recorded in `projection_parked`. */
  | { readonly kind: 'parked'; readonly position: bigint; readonly error: string }
  /** Another process moved the checkpoint, or the build was retired: this one must stop. */
  | { readonly kind: 'lost'; readonly reason: string };

export interface BatchApplied {
  readonly position: bigint | undefined;
  readonly eventsInBatch: number;
  readonly eventsApplied: bigint;
  readonly lastEventStoredAt: Date | undefined;
  readonly caughtUp: boolean;
}

export interface BuildWorkerOptions {
  readonly sql: SqlClient;
  readonly store: EventStore;
  readonly projection: Projection;
  readonly build: BuildRecord;
  readonly batching: BatchingOptions;
  readonly signal: AbortSignal;
  readonly onBatchApplied: (applied: BatchApplied) => void;
  /** Called after the batch that reached the head was committed (once per run). */
  readonly onCaughtUp: () => Promise<void>;
}

class OwnershipLostError extends Error {
  override readonly name = 'OwnershipLostError';
}

/** Thrown by the projection's own code, as opposed to the runner's bookkeeping. */
class ApplyFailedError extends Error {
  override readonly name = 'ApplyFailedError';
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** `applyBatch` failed: the batch is applied again event by event to find the one to blame. */
class BatchApplyFailedError extends Error {
  override readonly name = 'BatchApplyFailedError';
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Failures a new transaction may not meet: the event is not to blame for them. */
export const isTransientFailure = (error: unknown): boolean =>
  error instanceof SqlError &&
  (error.connectionLost ||
    error.code === SqlState.serializationFailure ||
    error.code === SqlState.deadlockDetected ||
    error.code === SqlState.lockNotAvailable);

const messageOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Applies the event log to one build from its checkpoint until stopped. Every batch runs in one
 * transaction with the checkpoint move, so a crash anywhere neither loses nor repeats an event.
 * The checkpoint row is locked and compared first: if another process moved it (a lost advisory
 * lock), this one stops instead of applying anything twice.
 *
 * Transient failures (lost connection, serialization) are thrown to the caller, which restarts
 * the run from the checkpoint after a pause.
 */
export const runBuild = async (options: BuildWorkerOptions): Promise<BuildRunOutcome> => {
  const { sql, store, projection, build, signal } = options;
  const schema = build.schema;
  let expected = build.position;
  let eventsApplied = build.eventsApplied;
  let caughtUpReported = false;

  const claim = async (tx: SqlTransaction): Promise<void> => {
    const { rows } = await tx.query<{ position: string | null; state: string }>(
      `SELECT position::text AS position, state FROM projection_checkpoints
        WHERE schema_name = $1 FOR UPDATE`,
      [schema],
    );
    const row = rows[0];
    if (row === undefined || row.state === 'retired') {
      throw new OwnershipLostError(`build ${schema} was retired`);
    }
    const actual = row.position === null ? undefined : BigInt(row.position);
    if (actual !== expected) {
      throw new OwnershipLostError(
        `the checkpoint of ${schema} moved to ${String(actual)} behind this process's back (expected ${String(expected)})`,
      );
    }
  };

  /**
   * Applies the batch (whole, where the projection can, else event by event); on a poison event,
   * applies what came before it and parks it.
   */
  const applyBatch = async (
    batch: MessageBatch,
    whole = projection.applyBatch !== undefined,
  ): Promise<BuildRunOutcome | undefined> => {
    const lastStored = batch.events.at(-1)?.storedAt;
    try {
      await sql.transaction(async (tx) => {
        await claim(tx);
        if (whole && projection.applyBatch !== undefined && batch.events.length > 0) {
          try {
            await projection.applyBatch(tx, batch.events, schema);
          } catch (error) {
            throw new BatchApplyFailedError(error);
          }
        } else {
          for (const [index, event] of batch.events.entries()) {
            try {
              await projection.apply(tx, event, schema);
            } catch (error) {
              throw new ApplyFailedError(index, error);
            }
          }
        }
        await tx.query(
          `UPDATE projection_checkpoints
              SET position = $2, events_applied = events_applied + $3,
                  last_event_stored_at = COALESCE($4, last_event_stored_at),
                  caught_up_at = CASE WHEN $5 THEN COALESCE(caught_up_at, now()) ELSE caught_up_at END,
                  updated_at = now()
            WHERE schema_name = $1`,
          [schema, batch.upTo ?? null, batch.events.length, lastStored ?? null, batch.caughtUp],
        );
      });
    } catch (error) {
      if (error instanceof OwnershipLostError) return { kind: 'lost', reason: error.message };
      if (error instanceof BatchApplyFailedError) {
        if (isTransientFailure(error.cause)) throw error.cause;
        return applyBatch(batch, false);
      }
      if (!(error instanceof ApplyFailedError)) throw error;
      if (isTransientFailure(error.cause)) throw error.cause;
      return park(batch.events, error.index, error.cause);
    }
    expected = batch.upTo;
    eventsApplied += BigInt(batch.events.length);
    options.onBatchApplied({
      position: expected,
      eventsInBatch: batch.events.length,
      eventsApplied,
      lastEventStoredAt: lastStored,
      caughtUp: batch.caughtUp,
    });
    return undefined;
  };

  const park = async (
    events: readonly RecordedEvent[],
    index: number,
    cause: unknown,
  ): Promise<BuildRunOutcome> => {
    const before = events.slice(0, index);
    const last = before.at(-1);
    if (last !== undefined) {
      // The events before the poison one are fine: apply them, so the checkpoint stops right
      // in front of it (and a skip moves it exactly past it).
      const outcome = await applyBatch(
        { events: before, upTo: last.position, caughtUp: false },
        false,
      );
      if (outcome !== undefined) return outcome;
    }
    const poison = events[index];
    if (poison === undefined) throw new Error(`no event at index ${index} of the batch`);
    const error = messageOf(cause);
    try {
      await sql.transaction(async (tx) => {
        await claim(tx);
        await tx.query(
          `INSERT INTO projection_parked
             (projection, version, schema_name, position, stream_id, revision, event_id, event_type, error_message)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (schema_name, position) WHERE status = 'parked'
           DO UPDATE SET attempts = projection_parked.attempts + 1,
                         error_message = EXCLUDED.error_message, parked_at = now()`,
          [
            projection.name,
            projection.version,
            schema,
            poison.position,
            poison.streamId,
            poison.revision,
            poison.id,
            poison.type,
            error.slice(0, 4000),
          ],
        );
      });
    } catch (failure) {
      if (failure instanceof OwnershipLostError) return { kind: 'lost', reason: failure.message };
      throw failure;
    }
    return { kind: 'parked', position: poison.position, error };
  };

  const subscription = store.subscribeToAll({
    fromPosition: expected ?? 'start',
    ...(projection.filter === undefined ? {} : { filter: projection.filter }),
    checkpointInterval: options.batching.maxEvents,
  });
  const closeSubscription = (): void => {
    subscription.close().catch(() => undefined);
  };
  signal.addEventListener('abort', closeSubscription, { once: true });
  try {
    if (signal.aborted) return { kind: 'stopped' };
    // Reading the next batch's events overlaps applying this one's.
    const messages = readAhead(
      subscription[Symbol.asyncIterator](),
      options.batching.maxEvents * 2,
    );
    for await (const batch of batchMessages(messages, options.batching)) {
      if (signal.aborted) break;
      const moves =
        batch.events.length > 0 ||
        (batch.upTo !== undefined && (expected === undefined || batch.upTo > expected));
      // The first catching up is recorded even when the batch that says so brings nothing new.
      const recordsCaughtUp = batch.caughtUp && !caughtUpReported && batch.upTo !== undefined;
      if (moves || recordsCaughtUp) {
        const outcome = await applyBatch(batch);
        if (outcome !== undefined) return outcome;
      }
      if (batch.caughtUp && !caughtUpReported) {
        caughtUpReported = true;
        await options.onCaughtUp();
      }
    }
    return { kind: 'stopped' };
  } finally {
    signal.removeEventListener('abort', closeSubscription);
    await subscription.close().catch(() => undefined);
  }
};
