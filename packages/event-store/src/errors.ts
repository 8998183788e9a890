import type { ActualRevision, ExpectedRevision } from './types.js';

const describeRevision = (revision: ExpectedRevision | ActualRevision): string =>
  typeof revision === 'bigint' ? revision.toString() : revision;

/** The stream's revision was not what the caller expected. Nothing was appended. */
export class ExpectedRevisionConflictError extends Error {
  override readonly name = 'ExpectedRevisionConflictError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: ActualRevision,
  ) {
    super(
      `Stream ${streamId}: expected revision ${describeRevision(expected)}, actual ${describeRevision(actual)}`,
    );
  }
}

/** An append reused an event id that the store already holds in another stream. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly eventId: string,
    readonly streamId: string,
    readonly existingStreamId: string,
  ) {
    super(
      `Event ${eventId} cannot be appended to ${streamId}: it is already in ${existingStreamId}`,
    );
  }
}

/**
 * An append repeated some, but not all, of the event ids of an earlier append: it is neither a
 * retry nor new work, so it is refused.
 */
export class PartialDuplicateAppendError extends Error {
  override readonly name = 'PartialDuplicateAppendError';
  constructor(
    readonly streamId: string,
    readonly duplicateEventIds: readonly string[],
  ) {
    super(
      `Stream ${streamId}: append repeats only some earlier event ids (${duplicateEventIds.join(', ')})`,
    );
  }
}

/** The store cannot be reached or refused the operation for a reason of its own. */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
}
