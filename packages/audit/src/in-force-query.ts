import { decodeAgreementEvent } from '@twinning/agreements';
import type { IsoDate } from '@twinning/domain';
import type { RecordedEvent } from '@twinning/event-store';
import {
  advanceInForceTimeline,
  inForceOn,
  type InForceInterval,
  type InForceTimeline,
  type PartnershipParty,
} from './in-force-timeline.js';

export interface PartnershipInForce {
  readonly agreementId: string;
  readonly proposer: PartnershipParty;
  readonly partner: PartnershipParty;
  /** The interval (as known at the time asked) that contains the date. */
  readonly inForceFrom: IsoDate;
  readonly inForceUntil: IsoDate | null;
}

/** Every partnership in force on a business date, as the record stood at `knownAt` (default: now). */
export interface InForceQuery {
  partnershipsInForceOn(on: IsoDate, knownAt?: Date): Promise<PartnershipInForce[]>;
}

/** One state of the record about an agreement: what it said between `knownFrom` and `knownUntil`. */
interface RecordVersion {
  readonly knownFrom: number;
  knownUntil: number | undefined;
  readonly intervals: readonly InForceInterval[];
}

interface AgreementRecordVersions {
  timeline: InForceTimeline;
  readonly versions: RecordVersion[];
}

/**
 * The bitemporal in-force record of every agreement, held in memory: what the projection keeps
 * in PostgreSQL, built the same way (`advanceInForceTimeline`), for small stores and for tests.
 */
export class InForceRecord implements InForceQuery {
  private readonly agreements = new Map<string, AgreementRecordVersions>();

  /** Takes the next event of the log (global order); events of other streams are ignored. */
  apply(event: RecordedEvent): void {
    if (!event.streamId.startsWith('agreement-')) return;
    const stored = decodeAgreementEvent(event);
    const known = this.agreements.get(event.streamId);
    const step = advanceInForceTimeline(known?.timeline, stored);
    if (step === undefined) return;
    if (known === undefined) {
      this.agreements.set(event.streamId, { timeline: step.timeline, versions: [] });
      return;
    }
    known.timeline = step.timeline;
    if (!step.changed) return;
    const knownFrom = Date.parse(step.timeline.knownSince);
    const current = known.versions.at(-1);
    if (current !== undefined) current.knownUntil = knownFrom;
    known.versions.push({ knownFrom, knownUntil: undefined, intervals: step.timeline.intervals });
  }

  partnershipsInForceOn(on: IsoDate, knownAt?: Date): Promise<PartnershipInForce[]> {
    const at = knownAt?.getTime();
    const found: PartnershipInForce[] = [];
    for (const { timeline, versions } of this.agreements.values()) {
      const version =
        at === undefined
          ? versions.at(-1)
          : versions.findLast(
              (each) =>
                each.knownFrom <= at && (each.knownUntil === undefined || at < each.knownUntil),
            );
      const interval = version === undefined ? undefined : inForceOn(version.intervals, on);
      if (interval === undefined) continue;
      found.push({
        agreementId: timeline.agreementId,
        proposer: timeline.proposer,
        partner: timeline.partner,
        inForceFrom: interval.from,
        inForceUntil: interval.until,
      });
    }
    found.sort((a, b) =>
      a.agreementId < b.agreementId ? -1 : a.agreementId > b.agreementId ? 1 : 0,
    );
    return Promise.resolve(found);
  }
}

/** Builds the in-force record from the log. */
export const inForceRecordFromLog = async (
  events: AsyncIterable<RecordedEvent>,
): Promise<InForceRecord> => {
  const record = new InForceRecord();
  for await (const event of events) record.apply(event);
  return record;
};
