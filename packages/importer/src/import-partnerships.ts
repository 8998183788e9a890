import { toAgreementStreamId } from '@twinning/domain';
import { ExpectedRevisionConflictError, type EventStore } from '@twinning/event-store';
import { partnershipEvents, type ImportSettings } from './partnership-events.js';
import type { Partnership } from './partnerships.js';

export interface ImportProgress {
  readonly done: number;
  readonly total: number;
  readonly created: number;
  /** Already in the store from an earlier run: left as they are. */
  readonly skipped: number;
}

export interface ImportOptions extends ImportSettings {
  /** Appends in flight at once; the store keeps each stream's append atomic. Default 8. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Stops starting new appends; those in flight finish. */
  readonly signal?: AbortSignal;
}

export interface ImportReport extends ImportProgress {
  /** The last position written by this run, if it wrote anything. */
  readonly lastPosition: bigint | undefined;
  readonly aborted: boolean;
}

const streamExists = async (store: EventStore, streamId: string): Promise<boolean> => {
  for await (const _event of store.readStream(streamId, { maxCount: 1 })) return true;
  return false;
};

/**
 * Appends each partnership's whole story in one append that requires the stream not to exist,
 * so a re-run or a resumed run skips what is there and never writes half an agreement.
 */
export const importPartnerships = async (
  store: EventStore,
  partnerships: readonly Partnership[],
  options: ImportOptions,
): Promise<ImportReport> => {
  const total = partnerships.length;
  let next = 0;
  let done = 0;
  let created = 0;
  let skipped = 0;
  let lastPosition: bigint | undefined;

  const worker = async (): Promise<void> => {
    while (next < total && options.signal?.aborted !== true) {
      const partnership = partnerships[next];
      next += 1;
      if (partnership === undefined) break;
      const streamId = toAgreementStreamId(partnership.agreementId);
      // Appending the same event ids again would succeed as an idempotent retry, writing
      // nothing: look first, so the report says what this run created.
      if (await streamExists(store, streamId)) {
        skipped += 1;
        done += 1;
        options.onProgress?.({ done, total, created, skipped });
        continue;
      }
      const events = partnershipEvents(partnership, options);
      try {
        const result = await store.appendToStream(streamId, events, {
          expectedRevision: 'no_stream',
        });
        created += 1;
        if (lastPosition === undefined || result.position > lastPosition) {
          lastPosition = result.position;
        }
      } catch (error) {
        if (!(error instanceof ExpectedRevisionConflictError)) throw error;
        skipped += 1;
      }
      done += 1;
      options.onProgress?.({ done, total, created, skipped });
    }
  };

  const concurrency = Math.max(1, options.concurrency ?? 8);
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(total, 1)) }, worker));
  return {
    done,
    total,
    created,
    skipped,
    lastPosition,
    aborted: options.signal?.aborted === true && done < total,
  };
};
