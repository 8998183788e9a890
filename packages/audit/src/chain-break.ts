/**
 * Where a hash chain stops holding, stated exactly: the stream, the revision and position of the
 * event at fault, and what the chain expected there against what the store holds.
 *
 * - `hash_mismatch`: the event's content (type, data or metadata) no longer hashes to its stored
 *   hash; `expected` is the hash recomputed from the content, `found` the stored one.
 * - `prev_hash_mismatch`: the event does not link to its predecessor; `expected` is the
 *   predecessor's hash (or `GENESIS_HASH` at revision 0), `found` the stored `prevHash`.
 * - `missing_revision`: revisions skip or do not start at 0 (an event was removed);
 *   `expected`/`found` are the revisions.
 * - `revision_out_of_order`: a revision appears again or goes backwards, or a later revision sits
 *   at a lower global position than an earlier one (an event was slipped in).
 * - `stream_head_mismatch`: the store's own record of the stream's last event (revision and hash)
 *   differs from the last event found: the tail of the stream was cut or extended.
 */
export type ChainBreakKind =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'missing_revision'
  | 'revision_out_of_order'
  | 'stream_head_mismatch';

export interface ChainBreak {
  readonly kind: ChainBreakKind;
  readonly streamId: string;
  readonly revision: bigint;
  /** Global position of the event at fault; `undefined` when the fault is a missing tail. */
  readonly position: bigint | undefined;
  readonly expected: string;
  readonly found: string;
}

export const describeChainBreak = (broken: ChainBreak): string => {
  const where = `${broken.streamId}@${broken.revision.toString()}${
    broken.position === undefined ? '' : ` (position ${broken.position.toString()})`
  }`;
  switch (broken.kind) {
    case 'hash_mismatch':
      return `${where}: content hashes to ${broken.expected} but the stored hash is ${broken.found}`;
    case 'prev_hash_mismatch':
      return `${where}: prevHash should be ${broken.expected} but is ${broken.found}`;
    case 'missing_revision':
      return `${where}: expected revision ${broken.expected}, found revision ${broken.found}`;
    case 'revision_out_of_order':
      return `${where}: expected ${broken.expected}, found ${broken.found}`;
    case 'stream_head_mismatch':
      return `${where}: the store records the stream ending at ${broken.expected}, the events end at ${broken.found}`;
    default: {
      const _exhaustive: never = broken.kind;
      return _exhaustive;
    }
  }
};

/** The JSON shape of a break: bigints as decimal strings. */
export const chainBreakToJson = (broken: ChainBreak) => ({
  kind: broken.kind,
  streamId: broken.streamId,
  revision: broken.revision.toString(),
  position: broken.position === undefined ? null : broken.position.toString(),
  expected: broken.expected,
  found: broken.found,
  message: describeChainBreak(broken),
});
