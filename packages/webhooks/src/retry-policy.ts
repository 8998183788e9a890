const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RetryPolicy {
  /** Delay before the retry after the 1st, 2nd, … failed attempt. */
  readonly scheduleMs: readonly number[];
  /** Delay between retries once the schedule is used up. */
  readonly thenEveryMs: number;
  /** Spread each delay by up to ± this fraction, so failed deliveries do not retry in lockstep. */
  readonly jitter: number;
  /** Longest delay a receiver's `Retry-After` may ask for; a longer one is capped. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  scheduleMs: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR],
  thenEveryMs: DAY,
  jitter: 0.2,
  maxRetryAfterMs: DAY,
};

/** Delay before the next attempt after `failedAttempts` failures in a row (1 for the first). */
export const backoffDelayMs = (
  policy: RetryPolicy,
  failedAttempts: number,
  random: () => number = Math.random,
): number => {
  const base = policy.scheduleMs[failedAttempts - 1] ?? policy.thenEveryMs;
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
};

/**
 * A `Retry-After` header in milliseconds from `now`: delay-seconds or an HTTP date. `undefined`
 * when absent or unreadable, so a malformed header falls back to the schedule.
 */
export const retryAfterMs = (header: string | undefined, now: Date): number | undefined => {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * SECOND;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
};

/** What an attempt came to, as the dispatcher saw it. */
export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter?: string | undefined }
  | { readonly kind: 'error'; readonly error: string };

export type AttemptOutcome = 'delivered' | 'gone' | 'failed';

/** 2xx delivers; 410 Gone says the consumer removed the endpoint; anything else (3xx too) fails. */
export const outcomeOf = (result: AttemptResult): AttemptOutcome => {
  if (result.kind === 'error') return 'failed';
  if (result.status >= 200 && result.status < 300) return 'delivered';
  if (result.status === 410) return 'gone';
  return 'failed';
};

export interface FailurePlanInput {
  readonly policy: RetryPolicy;
  /** Failures of this delivery so far, this one included. */
  readonly failedAttempts: number;
  /** When the endpoint's current run of failures began (this failure, if it is the first). */
  readonly failingSince: Date;
  /** How long an endpoint may fail without a single success before it is disabled. */
  readonly disableAfterMs: number;
  readonly now: Date;
  readonly retryAfter?: string | undefined;
  readonly random?: () => number;
}

export type FailurePlan =
  | { readonly kind: 'retry'; readonly at: Date }
  | { readonly kind: 'disable'; readonly reason: string };

export const planAfterFailure = (input: FailurePlanInput): FailurePlan => {
  const failingForMs = input.now.getTime() - input.failingSince.getTime();
  if (failingForMs >= input.disableAfterMs) {
    return {
      kind: 'disable',
      reason: `every delivery failed for ${Math.round(failingForMs / SECOND)} s (limit ${Math.round(input.disableAfterMs / SECOND)} s)`,
    };
  }
  const backoff = backoffDelayMs(input.policy, input.failedAttempts, input.random);
  const askedFor = retryAfterMs(input.retryAfter, input.now);
  const delay =
    askedFor === undefined
      ? backoff
      : Math.max(backoff, Math.min(askedFor, input.policy.maxRetryAfterMs));
  return { kind: 'retry', at: new Date(input.now.getTime() + delay) };
};
