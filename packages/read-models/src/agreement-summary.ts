import type {
  AgreementEvent,
  AgreementId,
  AgreementKind,
  CityId,
  IsoDate,
  LifecycleState,
  Party,
  PartyRole,
} from '@twinning/domain';

/** What a party has done so far towards signing the current terms. */
export interface PartyProgress {
  readonly cityId: CityId;
  readonly name: string;
  readonly country: string;
  readonly councilApprovalRequired: boolean;
  readonly accepted: boolean;
  readonly councilApproved: boolean;
  readonly signed: boolean;
}

/**
 * One agreement as the lists show it: the row of `read.agreements`. Built by folding the
 * agreement's events in stream order; never judges them (the lifecycle machine already did).
 */
export interface AgreementSummary {
  readonly agreementId: AgreementId;
  readonly title: string;
  readonly kind: AgreementKind;
  readonly state: LifecycleState;
  readonly proposer: PartyProgress;
  readonly partner: PartyProgress;
  readonly termsVersion: number;
  readonly startDate: IsoDate;
  readonly endDate: IsoDate | null;
  readonly proposedOn: IsoDate;
  readonly agreedOn: IsoDate | null;
  readonly signedOn: IsoDate | null;
  readonly activatedOn: IsoDate | null;
  readonly suspendedOn: IsoDate | null;
  readonly endedOn: IsoDate | null;
  /** Business date of the latest event. */
  readonly lastChangedOn: IsoDate;
  readonly lastEventType: AgreementEvent['type'];
  readonly lastPosition: bigint;
  readonly lastRevision: bigint;
}

/** Where an event sits in the log: the summary remembers the latest. */
export interface EventPlace {
  readonly position: bigint;
  readonly revision: bigint;
  readonly businessDate: IsoDate;
}

/** The summary cannot take this event: the stream and the read model disagree. */
export class SummaryMismatchError extends Error {
  override readonly name = 'SummaryMismatchError';
}

const progressOf = (party: Party): PartyProgress => ({
  cityId: party.cityId,
  name: party.name,
  country: party.country,
  councilApprovalRequired: party.councilApprovalRequired,
  accepted: false,
  councilApproved: false,
  signed: false,
});

const restartedNegotiation = (progress: PartyProgress): PartyProgress => ({
  ...progress,
  accepted: false,
  councilApproved: false,
  signed: false,
});

const withParty = (
  summary: AgreementSummary,
  party: PartyRole,
  change: Partial<Pick<PartyProgress, 'accepted' | 'councilApproved' | 'signed'>>,
): AgreementSummary => ({ ...summary, [party]: { ...summary[party], ...change } });

const fold = (summary: AgreementSummary, event: AgreementEvent): AgreementSummary => {
  switch (event.type) {
    case 'AgreementProposed':
      throw new SummaryMismatchError(`agreement ${summary.agreementId} was proposed twice`);
    case 'TermsCounterProposed': {
      const { terms } = event.data;
      return {
        ...summary,
        state: 'proposed',
        title: terms.title,
        kind: terms.kind,
        termsVersion: terms.version,
        startDate: terms.startDate,
        endDate: terms.endDate ?? null,
        agreedOn: null,
        proposer: restartedNegotiation(summary.proposer),
        partner: restartedNegotiation(summary.partner),
      };
    }
    case 'TermsAccepted':
      return withParty(summary, event.data.party, { accepted: true });
    case 'TermsAgreed':
      return { ...summary, state: 'negotiated', agreedOn: event.data.agreedOn };
    case 'CouncilApprovalRecorded':
      return withParty(summary, event.data.party, { councilApproved: true });
    case 'SignatureRecorded':
      return {
        ...withParty(summary, event.data.party, { signed: true }),
        state: 'partially_signed',
      };
    case 'AgreementSigned':
      return { ...summary, state: 'signed', signedOn: event.data.signedOn };
    case 'AgreementActivated':
      return { ...summary, state: 'active', activatedOn: event.data.effectiveOn };
    case 'AgreementSuspended':
      return { ...summary, state: 'suspended', suspendedOn: event.data.suspendedOn };
    case 'AgreementReinstated':
      return { ...summary, state: 'active' };
    case 'AgreementRenewed':
      return { ...summary, endDate: event.data.newEndDate };
    case 'AgreementExpired':
      return { ...summary, state: 'expired', endedOn: event.data.expiredOn };
    case 'AgreementTerminated':
      return { ...summary, state: 'terminated', endedOn: event.data.terminatedOn };
    case 'ProposalWithdrawn':
      return { ...summary, state: 'withdrawn', endedOn: event.data.withdrawnOn };
    case 'ProposalDeclined':
      return { ...summary, state: 'declined', endedOn: event.data.declinedOn };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

/**
 * The summary after one more event of the agreement's stream. `previous` is `null` before the
 * first event, which must be the proposal.
 */
export const summariseAgreement = (
  previous: AgreementSummary | null,
  event: AgreementEvent,
  place: EventPlace,
): AgreementSummary => {
  const placed = {
    lastChangedOn: place.businessDate,
    lastEventType: event.type,
    lastPosition: place.position,
    lastRevision: place.revision,
  };
  if (previous === null) {
    if (event.type !== 'AgreementProposed') {
      throw new SummaryMismatchError(`the first event of an agreement is ${event.type}`);
    }
    const { data } = event;
    return {
      agreementId: data.agreementId,
      title: data.terms.title,
      kind: data.terms.kind,
      state: 'proposed',
      proposer: progressOf(data.proposer),
      partner: progressOf(data.partner),
      termsVersion: data.terms.version,
      startDate: data.terms.startDate,
      endDate: data.terms.endDate ?? null,
      proposedOn: data.proposedOn,
      agreedOn: null,
      signedOn: null,
      activatedOn: null,
      suspendedOn: null,
      endedOn: null,
      ...placed,
    };
  }
  return { ...fold(previous, event), ...placed };
};
