import type { EventToAppend, RecordedEvent } from '@twinning/event-store';
import type { BatchSteps, Projection } from '../projection.js';

export interface CountingProjectionOptions {
  readonly name?: string;
  readonly version?: number;
  /** Throwing for an event makes it a poison event; read at apply time, so tests can "fix" it. */
  readonly rejects?: (event: RecordedEvent) => boolean;
  /** Called for every event applied (inside the transaction), e.g. to slow a rebuild down. */
  readonly onApply?: (event: RecordedEvent) => Promise<void> | void;
  /** Stored with every applied event: tells which process applied it. */
  readonly appliedBy?: string;
  /** Also applies whole batches with one statement per table (`Projection.batches`). */
  readonly batched?: boolean;
}

/** `<name>_totals`: per stream, how many events and the sum of their `amount`. */
export const totalsTableOf = (name: string): string => `${name}_totals`;

/**
 * A projection for tests of the runner: counts events and sums `data.amount` per stream, and
 * records every event id once (a second application of the same event fails on its key).
 */
export const countingProjection = (options: CountingProjectionOptions = {}): Projection => {
  const name = options.name ?? 'counting';
  const totals = totalsTableOf(name);
  const applied = `${name}_applied`;
  const amountOf = (event: RecordedEvent): number => {
    if (options.rejects?.(event) === true) {
      throw new Error(`cannot count event ${event.id} of ${event.streamId}`);
    }
    const amount = event.data['amount'];
    if (typeof amount !== 'number') throw new TypeError(`event ${event.id} has no amount`);
    return amount;
  };
  interface CountedRow {
    readonly event: RecordedEvent;
    readonly row: Readonly<Record<string, string | number | null>>;
  }
  const batches: BatchSteps<readonly CountedRow[]> = {
    // Nothing to read: each event adds to its stream's totals.
    prepare: (_reader, events) =>
      Promise.resolve(
        events.map((event) => ({
          event,
          row: {
            event_id: event.id,
            position: event.position.toString(),
            applied_by: options.appliedBy ?? null,
            stream_id: event.streamId,
            amount: amountOf(event),
          },
        })),
      ),
    async write(tx, counted, schema) {
      for (const { event } of counted) await options.onApply?.(event);
      await tx.query(
        `WITH batch AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS b(event_id uuid, position bigint, applied_by text, stream_id text, amount bigint)
         ), applied AS (
           INSERT INTO "${schema}"."${applied}" (event_id, position, applied_by)
           SELECT event_id, position, applied_by FROM batch
         )
         INSERT INTO "${schema}"."${totals}" AS t (stream_id, events, total)
         SELECT stream_id, count(*), sum(amount) FROM batch GROUP BY stream_id
         ON CONFLICT (stream_id) DO UPDATE SET events = t.events + EXCLUDED.events,
                                               total = t.total + EXCLUDED.total`,
        [JSON.stringify(counted.map(({ row }) => row))],
      );
    },
  };
  return {
    name,
    version: options.version ?? 1,
    tables: [totals, applied],
    filter: { streamPrefixes: ['counter-'] },
    async setup(tx, schema) {
      await tx.exec(`
        CREATE TABLE "${schema}"."${totals}" (
          stream_id text PRIMARY KEY, events bigint NOT NULL, total bigint NOT NULL);
        CREATE TABLE "${schema}"."${applied}" (
          event_id uuid PRIMARY KEY, position bigint NOT NULL, applied_by text);
      `);
    },
    ...(options.batched === true ? { batches } : {}),
    async apply(tx, event, schema) {
      const amount = amountOf(event);
      await options.onApply?.(event);
      // One statement per event: the crash tests apply tens of thousands of them.
      await tx.query(
        `WITH applied AS (
           INSERT INTO "${schema}"."${applied}" (event_id, position, applied_by) VALUES ($1, $2, $3)
         )
         INSERT INTO "${schema}"."${totals}" AS t (stream_id, events, total) VALUES ($4, 1, $5)
         ON CONFLICT (stream_id) DO UPDATE SET events = t.events + 1, total = t.total + EXCLUDED.total`,
        [event.id, event.position, options.appliedBy ?? null, event.streamId, amount],
      );
    },
  };
};

/** An event the counting projection sums. */
export const counted = (id: string, amount: number): EventToAppend => ({
  id,
  type: 'Counted',
  data: { amount },
  metadata: {},
});
