import { describe, expect, it } from 'vitest';
import {
  fromEsdbCurrentRevision,
  fromEsdbExpectedRevision,
  toEsdbExpectedRevision,
} from './expected-revision.js';

describe('expected revisions', () => {
  it('maps the port vocabulary to the client constants and keeps exact revisions', () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe('no_stream');
    expect(toEsdbExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(toEsdbExpectedRevision('any')).toBe('any');
    expect(toEsdbExpectedRevision(0n)).toBe(0n);
    expect(toEsdbExpectedRevision(41n)).toBe(41n);
  });

  it('refuses a negative revision', () => {
    expect(() => toEsdbExpectedRevision(-1n)).toThrow(RangeError);
  });

  it('reads back what a wrong-expected-version error reports, raw server numbers included', () => {
    expect(fromEsdbExpectedRevision('no_stream')).toBe('no_stream');
    expect(fromEsdbExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(fromEsdbExpectedRevision(7n)).toBe(7n);
    expect(fromEsdbExpectedRevision(-1n)).toBe('no_stream');
    expect(fromEsdbExpectedRevision(-2n)).toBe('any');
    expect(fromEsdbExpectedRevision(-4n)).toBe('stream_exists');
    expect(fromEsdbExpectedRevision(undefined)).toBe('any');
  });

  it('turns the actual revision into the port one, "no stream" in all its spellings', () => {
    expect(fromEsdbCurrentRevision(3n)).toBe(3n);
    expect(fromEsdbCurrentRevision(0n)).toBe(0n);
    expect(fromEsdbCurrentRevision('no_stream')).toBe('no_stream');
    expect(fromEsdbCurrentRevision(-1n)).toBe('no_stream');
    expect(fromEsdbCurrentRevision(undefined)).toBe('no_stream');
  });
});
