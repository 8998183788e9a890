import type { Position } from '@eventstore/db-client';

/**
 * Servers before 22.6 put `ulong.MaxValue` where a stream read has no position; anything past
 * `long.MaxValue` is not a log position.
 */
const largestLogPosition = 2n ** 63n - 1n;

/**
 * The port's position is the event's commit position. Every event appended through gRPC is its
 * own implicit transaction, so its commit and prepare positions are both the log position of its
 * record: a port position P is the ESDB position `{ commit: P, prepare: P }`. (Only explicit
 * transactions, a TCP-era feature this adapter never uses, give events differing positions.)
 */
export const toEsdbPosition = (position: bigint): Position => {
  if (position < 0n || position > largestLogPosition) {
    throw new RangeError(`position must be between 0 and ${largestLogPosition}, got ${position}`);
  }
  return { commit: position, prepare: position };
};

/** A commit position as the port's position, or `undefined` when it is a placeholder. */
export const fromEsdbCommitPosition = (commit: bigint | undefined): bigint | undefined =>
  commit === undefined || commit < 0n || commit > largestLogPosition ? undefined : commit;

/** The port position of an ESDB position, or `undefined` when the server sent none. */
export const fromEsdbPosition = (position: Position | undefined): bigint | undefined =>
  fromEsdbCommitPosition(position?.commit);

/**
 * Whether a position names an event record (commit = prepare), as opposed to the "next record to
 * read" pointer (commit = a record's end, prepare = 0) that filtered subscriptions send as
 * checkpoints while catching up. Only event positions are safe to resume from: a subscription
 * from position P skips the first event at or after P, which is right only if that event is at P.
 */
export const isEventPosition = (position: Position): boolean =>
  position.commit === position.prepare && position.commit > 0n;
