import { GENESIS_HASH, chainHash, type RecordedEvent } from '@twinning/event-store';
import type { ChainBreak } from './chain-break.js';
import { EMPTY_LOG_DIGEST, advanceLogDigest, type LogDigest } from './log-digest.js';

/** The last event verified in one stream: what its next event must link to. */
export interface StreamLink {
  readonly revision: bigint;
  readonly hash: string;
  readonly position: bigint;
}

/**
 * Checks one event against the last verified event of its stream (`undefined` when the stream
 * starts here). Returns the first fault found for this event, checking in the order an auditor
 * reads a chain: place (revision), link (prevHash), content (hash).
 */
export const checkEventLink = (
  event: RecordedEvent,
  previous: StreamLink | undefined,
): ChainBreak | undefined => {
  const at = { streamId: event.streamId, revision: event.revision, position: event.position };
  const expectedRevision = previous === undefined ? 0n : previous.revision + 1n;
  if (event.revision > expectedRevision) {
    return {
      ...at,
      kind: 'missing_revision',
      expected: expectedRevision.toString(),
      found: event.revision.toString(),
    };
  }
  if (event.revision < expectedRevision) {
    return {
      ...at,
      kind: 'revision_out_of_order',
      expected: `revision ${expectedRevision.toString()}`,
      found: `revision ${event.revision.toString()}`,
    };
  }
  if (previous !== undefined && event.position <= previous.position) {
    return {
      ...at,
      kind: 'revision_out_of_order',
      expected: `a position after ${previous.position.toString()}`,
      found: `position ${event.position.toString()}`,
    };
  }
  const expectedPrevHash = previous?.hash ?? GENESIS_HASH;
  if (event.prevHash !== expectedPrevHash) {
    return { ...at, kind: 'prev_hash_mismatch', expected: expectedPrevHash, found: event.prevHash };
  }
  const recomputed = chainHash(event.prevHash, event);
  if (recomputed !== event.hash) {
    return { ...at, kind: 'hash_mismatch', expected: recomputed, found: event.hash };
  }
  return undefined;
};

export interface StreamVerification {
  readonly streamId: string;
  /** Events read from the stream. */
  readonly events: number;
  /** The stream's last event as found; `undefined` for an empty stream. */
  readonly head: StreamLink | undefined;
  readonly firstBreak: ChainBreak | undefined;
  readonly breaks: number;
}

/** Verifies one stream read in revision order (`store.readStream(streamId)`). */
export const verifyStream = async (
  streamId: string,
  events: AsyncIterable<RecordedEvent>,
): Promise<StreamVerification> => {
  let head: StreamLink | undefined;
  let firstBreak: ChainBreak | undefined;
  let breaks = 0;
  let count = 0;
  for await (const event of events) {
    count += 1;
    const fault = checkEventLink(event, head);
    if (fault !== undefined) {
      breaks += 1;
      firstBreak ??= fault;
    }
    // Carry on from what is stored, so one altered event is reported once, not for every successor.
    head = { revision: event.revision, hash: event.hash, position: event.position };
  }
  return { streamId, events: count, head, firstBreak, breaks };
};

/** The store's own record of where a stream ends, for detecting a removed or added tail. */
export interface StreamHead {
  readonly streamId: string;
  readonly revision: bigint;
  readonly hash: string;
}

export const checkStreamHead = (
  recorded: StreamHead,
  found: StreamLink | undefined,
): ChainBreak | undefined => {
  if (found !== undefined && found.revision === recorded.revision && found.hash === recorded.hash) {
    return undefined;
  }
  return {
    kind: 'stream_head_mismatch',
    streamId: recorded.streamId,
    revision: found?.revision ?? -1n,
    position: undefined,
    expected: `revision ${recorded.revision.toString()} with hash ${recorded.hash}`,
    found:
      found === undefined
        ? 'no events'
        : `revision ${found.revision.toString()} with hash ${found.hash}`,
  };
};

export interface LogVerificationOptions {
  /** Resume after this digest (its position, event count and running digest). */
  readonly resumeFrom?: LogDigest;
  /**
   * Looks up the event before the first one of a stream met after a resume point, so its link
   * is checked too. Without it such a stream's first link is taken on trust (the resumed digest
   * already vouches for everything at or below the resume position).
   */
  readonly predecessorOf?: (
    streamId: string,
    revision: bigint,
  ) => Promise<RecordedEvent | undefined>;
  /** Called after each event with the running digest (for progress lines and checkpoints). */
  readonly onEvent?: (digest: LogDigest) => void;
  /** Stops cleanly between two events; the result says how far it got. */
  readonly signal?: AbortSignal;
}

export interface LogVerification {
  /** The digest over every event read (including any resumed prefix). */
  readonly digest: LogDigest;
  readonly firstBreak: ChainBreak | undefined;
  readonly breaks: number;
  /** False when stopped by the signal before the events ran out. */
  readonly complete: boolean;
  /** The last event verified in each stream met. */
  readonly heads: ReadonlyMap<string, StreamLink>;
}

/**
 * Verifies every stream's chain over the log in global order and folds the log digest as it
 * goes. Memory grows with the number of streams (one link each), never with the number of events.
 */
export const verifyLog = async (
  events: AsyncIterable<RecordedEvent>,
  options: LogVerificationOptions = {},
): Promise<LogVerification> => {
  const heads = new Map<string, StreamLink>();
  let digest = options.resumeFrom ?? EMPTY_LOG_DIGEST;
  const resumed = digest.position !== undefined;
  let firstBreak: ChainBreak | undefined;
  let breaks = 0;
  const record = (fault: ChainBreak | undefined): void => {
    if (fault === undefined) return;
    breaks += 1;
    firstBreak ??= fault;
  };
  for await (const event of events) {
    if (options.signal?.aborted === true) {
      return { digest, firstBreak, breaks, complete: false, heads };
    }
    let previous = heads.get(event.streamId);
    if (previous === undefined && resumed && event.revision > 0n) {
      const before = await options.predecessorOf?.(event.streamId, event.revision - 1n);
      if (before !== undefined) {
        previous = { revision: before.revision, hash: before.hash, position: before.position };
      } else if (options.predecessorOf === undefined) {
        previous = { revision: event.revision - 1n, hash: event.prevHash, position: -1n };
      }
    }
    record(checkEventLink(event, previous));
    heads.set(event.streamId, {
      revision: event.revision,
      hash: event.hash,
      position: event.position,
    });
    digest = advanceLogDigest(digest, event);
    options.onEvent?.(digest);
  }
  return { digest, firstBreak, breaks, complete: true, heads };
};
