import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  outcomeOf,
  planAfterFailure,
  retryAfterMs,
} from './retry-policy.js';

const noJitter = () => 0.5;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('retry schedule', () => {
  it('follows 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then daily', () => {
    const delays = Array.from({ length: 8 }, (_, index) =>
      backoffDelayMs(DEFAULT_RETRY_POLICY, index + 1, noJitter),
    );
    expect(delays).toEqual([
      5_000,
      5 * MINUTE,
      30 * MINUTE,
      2 * HOUR,
      5 * HOUR,
      10 * HOUR,
      24 * HOUR,
      24 * HOUR,
    ]);
  });

  it('spreads each delay by at most the jitter fraction', () => {
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, 1, () => 0)).toBe(4_000);
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, 1, () => 0.999999)).toBe(6_000);
  });
});

describe('Retry-After', () => {
  const now = new Date('2024-03-01T12:00:00Z');
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Fri, 01 Mar 2024 12:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Fri, 01 Mar 2024 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('attempt outcomes', () => {
  it('deliver on 2xx, disable on 410, and fail on everything else, redirects included', () => {
    expect(outcomeOf({ kind: 'response', status: 200 })).toBe('delivered');
    expect(outcomeOf({ kind: 'response', status: 204 })).toBe('delivered');
    expect(outcomeOf({ kind: 'response', status: 410 })).toBe('gone');
    for (const status of [301, 302, 307, 400, 429, 500, 503]) {
      expect(outcomeOf({ kind: 'response', status })).toBe('failed');
    }
    expect(outcomeOf({ kind: 'error', error: 'ECONNRESET' })).toBe('failed');
  });
});

describe('after a failure', () => {
  const now = new Date('2024-03-01T12:00:00Z');
  const base = {
    policy: DEFAULT_RETRY_POLICY,
    failedAttempts: 1,
    failingSince: now,
    disableAfterMs: 5 * 24 * HOUR,
    now,
    random: noJitter,
  };

  it('retries on the schedule', () => {
    expect(planAfterFailure(base)).toEqual({ kind: 'retry', at: new Date(now.getTime() + 5_000) });
  });

  it('waits as long as Retry-After asks when that is longer, up to a cap', () => {
    expect(planAfterFailure({ ...base, retryAfter: '60' })).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 60_000),
    });
    expect(planAfterFailure({ ...base, retryAfter: '1' })).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 5_000),
    });
    expect(planAfterFailure({ ...base, retryAfter: String(30 * 24 * 3600) })).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + DEFAULT_RETRY_POLICY.maxRetryAfterMs),
    });
  });

  it('disables the endpoint once it has failed continuously for the limit', () => {
    const failingSince = new Date(now.getTime() - 5 * 24 * HOUR);
    expect(planAfterFailure({ ...base, failingSince })).toMatchObject({ kind: 'disable' });
    expect(
      planAfterFailure({ ...base, failingSince: new Date(failingSince.getTime() + 1) }),
    ).toMatchObject({ kind: 'retry' });
  });
});
