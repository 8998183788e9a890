import { createHash } from 'node:crypto';
import { GENESIS_HASH } from '@twinning/event-store';

/**
 * A running digest of the whole log: `digest_n = hex(SHA-256(digest_{n-1} + hash_n))` over the
 * per-event chain hashes in global order, starting from `GENESIS_HASH`. Written down with its
 * position and event count, it lets an auditor prove later that nothing at or below that
 * position was altered, removed or slipped in, even where every per-stream chain still links.
 */
export interface LogDigest {
  /** The last position folded in; `undefined` before the first event. */
  readonly position: bigint | undefined;
  /** How many events were folded in. */
  readonly events: number;
  readonly digest: string;
}

export const EMPTY_LOG_DIGEST: LogDigest = {
  position: undefined,
  events: 0,
  digest: GENESIS_HASH,
};

export const nextDigest = (digest: string, eventHash: string): string =>
  createHash('sha256').update(digest).update(eventHash).digest('hex');

export const advanceLogDigest = (
  state: LogDigest,
  event: { readonly position: bigint; readonly hash: string },
): LogDigest => ({
  position: event.position,
  events: state.events + 1,
  digest: nextDigest(state.digest, event.hash),
});

const hexDigestPattern = /^[0-9a-f]{64}$/;

export const isHexDigest = (value: string): boolean => hexDigestPattern.test(value);
