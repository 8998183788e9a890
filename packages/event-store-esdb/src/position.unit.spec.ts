import { describe, expect, it } from 'vitest';
import {
  fromEsdbCommitPosition,
  fromEsdbPosition,
  isEventPosition,
  toEsdbPosition,
} from './position.js';

describe('positions', () => {
  it('uses the port position as both commit and prepare position', () => {
    expect(toEsdbPosition(0n)).toEqual({ commit: 0n, prepare: 0n });
    expect(toEsdbPosition(123_456n)).toEqual({ commit: 123_456n, prepare: 123_456n });
  });

  it('reads the commit position back as the port position', () => {
    expect(fromEsdbPosition({ commit: 987n, prepare: 987n })).toBe(987n);
    expect(fromEsdbPosition(toEsdbPosition(42n))).toBe(42n);
  });

  it('treats the placeholders older servers send on stream reads as no position', () => {
    expect(fromEsdbPosition(undefined)).toBeUndefined();
    expect(fromEsdbPosition({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n })).toBeUndefined();
    expect(fromEsdbCommitPosition(-1n)).toBeUndefined();
    expect(fromEsdbCommitPosition(undefined)).toBeUndefined();
  });

  it('refuses positions outside the log', () => {
    expect(() => toEsdbPosition(-1n)).toThrow(RangeError);
    expect(() => toEsdbPosition(2n ** 63n)).toThrow(RangeError);
  });

  it('tells event positions from the next-record pointers of catch-up checkpoints', () => {
    expect(isEventPosition({ commit: 5_000n, prepare: 5_000n })).toBe(true);
    expect(isEventPosition({ commit: 5_137n, prepare: 0n })).toBe(false);
    expect(isEventPosition({ commit: 0n, prepare: 0n })).toBe(false);
  });
});
