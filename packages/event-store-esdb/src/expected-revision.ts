import type { AppendExpectedRevision, CurrentRevision } from '@eventstore/db-client';
import { ANY, NO_STREAM, STREAM_EXISTS } from '@eventstore/db-client';
import type { ActualRevision, ExpectedRevision } from '@twinning/event-store';

/** The port's expected revision in the client's vocabulary. */
export const toEsdbExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  if (typeof expected === 'bigint') {
    if (expected < 0n) throw new RangeError(`expected revision must be >= 0, got ${expected}`);
    return expected;
  }
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default: {
      const _exhaustive: never = expected;
      throw new TypeError(`unknown expected revision ${String(_exhaustive)}`);
    }
  }
};

// The server's own numbering for the symbolic revisions, which some error paths carry raw.
const serverNoStream = -1n;
const serverAny = -2n;
const serverStreamExists = -4n;

/** The expected revision a `WrongExpectedVersionError` reports, back in the port's vocabulary. */
export const fromEsdbExpectedRevision = (
  expected: AppendExpectedRevision | undefined,
): ExpectedRevision => {
  if (expected === undefined) return 'any';
  if (typeof expected !== 'bigint') return expected;
  if (expected >= 0n) return expected;
  if (expected === serverNoStream) return 'no_stream';
  if (expected === serverStreamExists) return 'stream_exists';
  if (expected === serverAny) return 'any';
  return 'any';
};

/** The revision a stream actually had, as the client reports it (`-1` also means no stream). */
export const fromEsdbCurrentRevision = (current: CurrentRevision | undefined): ActualRevision => {
  if (current === undefined || current === NO_STREAM) return 'no_stream';
  return current < 0n ? 'no_stream' : current;
};
