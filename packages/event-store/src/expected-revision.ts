import { ExpectedRevisionConflictError } from './errors.js';
import type { ActualRevision, ExpectedRevision } from './types.js';

/** Throws `ExpectedRevisionConflictError` unless the stream's actual revision satisfies `expected`. */
export const assertExpectedRevision = (
  streamId: string,
  expected: ExpectedRevision,
  actual: ActualRevision,
): void => {
  const satisfied =
    expected === 'any'
      ? true
      : expected === 'no_stream'
        ? actual === 'no_stream'
        : expected === 'stream_exists'
          ? actual !== 'no_stream'
          : actual === expected;
  if (!satisfied) throw new ExpectedRevisionConflictError(streamId, expected, actual);
};
