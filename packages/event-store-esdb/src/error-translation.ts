import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  ExpectedRevisionConflictError,
  PartialDuplicateAppendError,
} from '@twinning/event-store';
import {
  ErrorType,
  StreamNotFoundError,
  WrongExpectedVersionError,
  convertToCommandError,
  isCommandError,
} from '@eventstore/db-client';
import { fromEsdbCurrentRevision, fromEsdbExpectedRevision } from './expected-revision.js';
import { InvalidConnectionStringError, UnreadableEventError } from './errors.js';

const isOwnError = (error: unknown): error is Error =>
  error instanceof ExpectedRevisionConflictError ||
  error instanceof DuplicateEventIdError ||
  error instanceof PartialDuplicateAppendError ||
  error instanceof EventStoreUnavailableError ||
  error instanceof InvalidConnectionStringError ||
  error instanceof UnreadableEventError ||
  error instanceof TypeError ||
  error instanceof RangeError;

/** Raw gRPC errors become the client's typed errors; anything else is left alone. */
const asClientError = (error: unknown): unknown =>
  error instanceof Error ? convertToCommandError(error) : error;

export const isStreamNotFound = (error: unknown): boolean =>
  asClientError(error) instanceof StreamNotFoundError;

export const isWrongExpectedVersion = (error: unknown): error is WrongExpectedVersionError =>
  asClientError(error) instanceof WrongExpectedVersionError;

/** Errors after which the same request may succeed: the connection, the leader or a deadline. */
const transientErrorTypes: ReadonlySet<ErrorType> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.CANCELLED,
  ErrorType.NOT_LEADER,
  ErrorType.UNKNOWN,
]);

export const isTransient = (error: unknown): boolean => {
  const clientError = asClientError(error);
  return (
    clientError instanceof Error &&
    isCommandError(clientError) &&
    transientErrorTypes.has(clientError.type)
  );
};

const describe = (error: unknown): string =>
  error instanceof Error && error.message.length > 0 ? error.message : String(error);

/**
 * Every error that leaves the package is the port's (or this package's own): a vendor error never
 * does, not even as `cause`, so callers cannot come to depend on the client.
 */
export const translateEsdbError = (error: unknown): Error => {
  if (isOwnError(error)) return error;
  const clientError = asClientError(error);
  if (clientError instanceof WrongExpectedVersionError) {
    return new ExpectedRevisionConflictError(
      clientError.streamName,
      fromEsdbExpectedRevision(clientError.expectedVersion),
      fromEsdbCurrentRevision(clientError.actualVersion),
    );
  }
  if (clientError instanceof Error && isCommandError(clientError)) {
    return new EventStoreUnavailableError(
      `EventStoreDB ${clientError.type}: ${describe(clientError)}`,
    );
  }
  return new EventStoreUnavailableError(`EventStoreDB client failure: ${describe(error)}`);
};
