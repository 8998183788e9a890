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

/** A batch worked out by the projection's `batches.prepare`, boxed so `undefined` means none. */
interface Prepared {
  readonly value: unknown;
}

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
  const steps = projection.batches;
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

  /** How a batch's write ended; `fellBack` when it was applied (or parked) one event at a time. */
  interface BatchWritten {
    readonly outcome: BuildRunOutcome | undefined;
    readonly fellBack: boolean;
  }

  /**
   * Writes the batch in one transaction with the checkpoint move: the prepared batch where there
   * is one, else event by event. A failed prepared batch is written again event by event; a
   * poison event is parked after the events before it are applied.
   */
  const writeBatch = async (
    batch: MessageBatch,
    prepared: Prepared | undefined,
  ): Promise<BatchWritten> => {
    const lastStored = batch.events.at(-1)?.storedAt;
    try {
      await sql.transaction(async (tx) => {
        await claim(tx);
        if (prepared !== undefined && steps !== undefined) {
          try {
            await steps.write(tx, prepared.value, schema);
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
      if (error instanceof OwnershipLostError) {
        return { outcome: { kind: 'lost', reason: error.message }, fellBack: false };
      }
      if (error instanceof BatchApplyFailedError) {
        if (isTransientFailure(error.cause)) throw error.cause;
        return { outcome: (await writeBatch(batch, undefined)).outcome, fellBack: true };
      }
      if (!(error instanceof ApplyFailedError)) throw error;
      if (isTransientFailure(error.cause)) throw error.cause;
      return { outcome: await park(batch.events, error.index, error.cause), fellBack: true };
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
    return { outcome: undefined, fellBack: false };
  };

  /**
   * Works the batch out in memory (where the projection applies whole batches) from `previous`,
   * the prepared batch still being written, and the committed tables. A projection that fails to
   * prepare it gets the batch event by event, so the event to blame is found.
   */
  const prepareBatch = async (
    batch: MessageBatch,
    previous: Prepared | undefined,
  ): Promise<Prepared | undefined> => {
    if (steps === undefined || batch.events.length === 0) return undefined;
    try {
      return { value: await steps.prepare(sql, batch.events, schema, previous?.value) };
    } catch (error) {
      if (isTransientFailure(error)) throw error;
      return undefined;
    }
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
      const { outcome } = await writeBatch(
        { events: before, upTo: last.position, caughtUp: false },
        undefined,
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
  // While catching up, the batch being written while the next one is prepared (one at most).
  let writing:
    { readonly written: Promise<BatchWritten>; readonly prepared?: Prepared } | undefined;
  const settle = async (): Promise<BatchWritten | undefined> => {
    const written = await writing?.written;
    writing = undefined;
    return written;
  };
  try {
    if (signal.aborted) return { kind: 'stopped' };
    // Reading the next batch's events overlaps applying this one's.
    const pages = readAhead(
      subscription.pages(),
      options.batching.maxEvents * 2,
      (page) => page.length,
    );
    for await (const batch of batchMessages(pages, options.batching)) {
      if (signal.aborted) break;
      const moves =
        batch.events.length > 0 ||
        (batch.upTo !== undefined && (expected === undefined || batch.upTo > expected));
      // The first catching up is recorded even when the batch that says so brings nothing new.
      const recordsCaughtUp = batch.caughtUp && !caughtUpReported && batch.upTo !== undefined;
      if (moves || recordsCaughtUp) {
        // Only a prepared batch in flight says what it changes; after any other, wait for it.
        if (writing !== undefined && writing.prepared === undefined) {
          const written = await settle();
          if (written?.outcome !== undefined) return written.outcome;
        }
        // Worked out while the previous batch is still being written and committed.
        let prepared = await prepareBatch(batch, writing?.prepared);
        const written = await settle();
        if (written?.outcome !== undefined) return written.outcome;
        // The previous batch went in event by event: work this one out again from the tables.
        if (written?.fellBack === true) prepared = await prepareBatch(batch, undefined);
        const inFlight = writeBatch(batch, prepared);
        // Awaited by settle(); until then its failure must not count as unhandled.
        inFlight.catch(() => undefined);
        writing = prepared === undefined ? { written: inFlight } : { written: inFlight, prepared };
        // Live, the next batch may be long in coming: nothing is left in flight meanwhile, so a
        // parked event or a lost lock shows at once. Catching up, the next batch is at hand.
        if (caughtUpReported) {
          const live = await settle();
          if (live?.outcome !== undefined) return live.outcome;
        }
      }
      if (batch.caughtUp && !caughtUpReported) {
        // Reported once the batch that reached the head is committed.
        const written = await settle();
        if (written?.outcome !== undefined) return written.outcome;
        caughtUpReported = true;
        await options.onCaughtUp();
      }
    }
    const written = await settle();
    return written?.outcome ?? { kind: 'stopped' };
  } finally {
    // A stop or a failure still lets the batch in flight finish before the run ends.
    await writing?.written.catch(() => undefined);
    signal.removeEventListener('abort', closeSubscription);
    await subscription.close().catch(() => undefined);
  }
};
