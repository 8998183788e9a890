import { businessDateOf, type StoredAgreementEvent } from '@twinning/agreements';
import type { CityId, IsoDate } from '@twinning/domain';

/** Business days on which an agreement was in force: `from` inclusive, `until` exclusive. */
export interface InForceInterval {
  readonly from: IsoDate;
  /** `null` while it still is. */
  readonly until: IsoDate | null;
}

export interface PartnershipParty {
  readonly cityId: CityId;
  readonly name: string;
}

/**
 * What one agreement's events so far say about when it was in force. `knownSince` and
 * `effectiveOn` are the running maxima described in `agreement-timeline.ts`, so these intervals
 * agree with a replay "as in force on" a date.
 */
export interface InForceTimeline {
  readonly agreementId: string;
  readonly proposer: PartnershipParty;
  readonly partner: PartnershipParty;
  /** ISO time from which the record says what `intervals` say. */
  readonly knownSince: string;
  readonly effectiveOn: IsoDate;
  readonly intervals: readonly InForceInterval[];
}

const laterDate = (a: IsoDate, b: IsoDate): IsoDate => (a >= b ? a : b);
const laterTime = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);

const isOpen = (intervals: readonly InForceInterval[]): boolean => intervals.at(-1)?.until === null;

/**
 * The in-force intervals after one more event. Only the events that enter or leave the `active`
 * state move them: activation and reinstatement open an interval, suspension, expiry and
 * termination close it. Every stored event was accepted by the machine, so the event type alone
 * says which transition happened.
 */
const nextIntervals = (
  intervals: readonly InForceInterval[],
  stored: StoredAgreementEvent,
  effectiveOn: IsoDate,
): readonly InForceInterval[] => {
  switch (stored.event.type) {
    case 'AgreementActivated':
    case 'AgreementReinstated':
      return isOpen(intervals) ? intervals : [...intervals, { from: effectiveOn, until: null }];
    case 'AgreementSuspended':
    case 'AgreementExpired':
    case 'AgreementTerminated': {
      const open = intervals.at(-1);
      if (open === undefined || open.until !== null) return intervals;
      const closed = intervals.slice(0, -1);
      // Entered and left on the same day: it was never in force on any whole day.
      return open.from === effectiveOn
        ? closed
        : [...closed, { from: open.from, until: effectiveOn }];
    }
    case 'AgreementProposed':
    case 'TermsCounterProposed':
    case 'TermsAccepted':
    case 'TermsAgreed':
    case 'CouncilApprovalRecorded':
    case 'SignatureRecorded':
    case 'AgreementSigned':
    case 'AgreementRenewed':
    case 'ProposalWithdrawn':
    case 'ProposalDeclined':
      return intervals;
    default: {
      const _exhaustive: never = stored.event;
      return _exhaustive;
    }
  }
};

export interface InForceStep {
  readonly timeline: InForceTimeline;
  /** Whether the intervals changed, i.e. whether the record now says something new. */
  readonly changed: boolean;
}

/** Folds one event (in stream order) into the timeline; `undefined` before the proposal. */
export const advanceInForceTimeline = (
  timeline: InForceTimeline | undefined,
  stored: StoredAgreementEvent,
): InForceStep | undefined => {
  const businessDate = businessDateOf(stored.event);
  if (timeline === undefined) {
    if (stored.event.type !== 'AgreementProposed') return undefined;
    const { data } = stored.event;
    return {
      timeline: {
        agreementId: data.agreementId,
        proposer: { cityId: data.proposer.cityId, name: data.proposer.name },
        partner: { cityId: data.partner.cityId, name: data.partner.name },
        knownSince: stored.metadata.recordedAt,
        effectiveOn: businessDate,
        intervals: [],
      },
      changed: false,
    };
  }
  const effectiveOn = laterDate(timeline.effectiveOn, businessDate);
  const intervals = nextIntervals(timeline.intervals, stored, effectiveOn);
  return {
    timeline: {
      ...timeline,
      knownSince: laterTime(timeline.knownSince, stored.metadata.recordedAt),
      effectiveOn,
      intervals,
    },
    changed: intervals !== timeline.intervals,
  };
};

export const inForceOn = (
  intervals: readonly InForceInterval[],
  on: IsoDate,
): InForceInterval | undefined =>
  intervals.find(
    (interval) => interval.from <= on && (interval.until === null || on < interval.until),
  );
