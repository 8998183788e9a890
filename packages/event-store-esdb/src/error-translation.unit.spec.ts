import {
  AccessDeniedError,
  DeadlineExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  ExpectedRevisionConflictError,
  PartialDuplicateAppendError,
} from '@twinning/event-store';
import { describe, expect, it } from 'vitest';
import {
  isStreamNotFound,
  isTransient,
  isWrongExpectedVersion,
  translateEsdbError,
} from './error-translation.js';
import { UnreadableEventError } from './errors.js';

/** What @grpc/grpc-js rejects with when the server cannot be reached at all. */
const rawGrpcUnavailable = (): Error =>
  Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
    code: 14,
    details: 'No connection established',
  });

const wrongExpectedVersion = (
  expected: 'no_stream' | 'stream_exists' | 'any' | bigint,
  current: 'no_stream' | bigint,
): WrongExpectedVersionError =>
  new WrongExpectedVersionError(undefined, { streamName: 'agreement-1', expected, current });

describe('translateEsdbError', () => {
  it('turns a wrong expected version into the port conflict, with both revisions', () => {
    const translated = translateEsdbError(wrongExpectedVersion(3n, 5n));
    expect(translated).toBeInstanceOf(ExpectedRevisionConflictError);
    expect(translated).toMatchObject({ streamId: 'agreement-1', expected: 3n, actual: 5n });
  });

  it('reports a missing stream as actual "no_stream"', () => {
    const translated = translateEsdbError(wrongExpectedVersion('stream_exists', 'no_stream'));
    expect(translated).toMatchObject({
      streamId: 'agreement-1',
      expected: 'stream_exists',
      actual: 'no_stream',
    });
  });

  it.each([
    ['the client', new UnavailableError(undefined, 'gone')],
    ['gRPC, unconverted', rawGrpcUnavailable()],
    ['a deadline', new DeadlineExceededError(undefined, 'too slow')],
    ['access control', new AccessDeniedError(undefined, 'no')],
    ['a deleted stream', StreamDeletedError.fromStreamName('agreement-1')],
    ['a non-error value', 'boom'],
  ])('turns a failure from %s into EventStoreUnavailableError', (_source, error) => {
    const translated = translateEsdbError(error);
    expect(translated).toBeInstanceOf(EventStoreUnavailableError);
    expect(translated.cause).toBeUndefined();
  });

  it('names the client error kind in the message', () => {
    expect(translateEsdbError(rawGrpcUnavailable()).message).toMatch(/unavailable/);
  });

  it('lets the port and package errors through unchanged', () => {
    const own = [
      new ExpectedRevisionConflictError('s', 'no_stream', 0n),
      new PartialDuplicateAppendError('s', ['id']),
      new EventStoreUnavailableError('down'),
      new UnreadableEventError('s', 'id', 'binary'),
      new TypeError('bad input'),
    ];
    for (const error of own) expect(translateEsdbError(error)).toBe(error);
  });
});

describe('error classification', () => {
  it('recognises a missing stream and a wrong expected version', () => {
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 'agreement-1'))).toBe(true);
    expect(isStreamNotFound(rawGrpcUnavailable())).toBe(false);
    expect(isWrongExpectedVersion(wrongExpectedVersion(0n, 1n))).toBe(true);
    expect(isWrongExpectedVersion(new UnavailableError())).toBe(false);
  });

  it('counts connection loss and deadlines as transient, refusals as final', () => {
    expect(isTransient(rawGrpcUnavailable())).toBe(true);
    expect(isTransient(new UnavailableError())).toBe(true);
    expect(isTransient(new DeadlineExceededError())).toBe(true);
    expect(isTransient(new AccessDeniedError())).toBe(false);
    expect(isTransient(wrongExpectedVersion(0n, 1n))).toBe(false);
    expect(isTransient(new Error('plain'))).toBe(false);
  });
});
