import type { PartyRole } from './actor.js';
import type {
  AgreementEvent,
  AgreementRenewed,
  AgreementSuspended,
  CouncilApprovalRecorded,
  SignatureRecorded,
  TermsAccepted,
} from './events.js';
import type { AgreementId, IsoDate } from './ids.js';
import type { Party, VersionedTerms } from './terms.js';

/** One value per party; `null` until that party has done the act. */
export interface PerParty<T> {
  readonly proposer: T | null;
  readonly partner: T | null;
}

export type Acceptance = Omit<TermsAccepted['data'], 'party'>;
export type CouncilApproval = Omit<CouncilApprovalRecorded['data'], 'party'>;
export type Signature = Omit<SignatureRecorded['data'], 'party'>;
export type Suspension = AgreementSuspended['data'];
export type Renewal = AgreementRenewed['data'];

export interface TermsVersionEntry {
  readonly terms: VersionedTerms;
  readonly proposedBy: PartyRole;
  readonly proposedOn: IsoDate;
}

export interface Ending {
  readonly how: 'withdrawn' | 'declined' | 'expired' | 'terminated';
  readonly on: IsoDate;
  /** The party whose act ended it; `null` when the agreement ran out by itself. */
  readonly party: PartyRole | null;
  readonly reason: string | null;
}

export interface AgreementDates {
  readonly proposedOn: IsoDate;
  readonly agreedOn: IsoDate | null;
  readonly signedOn: IsoDate | null;
  readonly activatedOn: IsoDate | null;
  readonly suspendedOn: IsoDate | null;
  readonly reinstatedOn: IsoDate | null;
  readonly renewedOn: IsoDate | null;
  readonly endedOn: IsoDate | null;
}

/** What the lifecycle machine knows about one agreement: its context, and the basis of the view. */
export interface AgreementRecord {
  readonly agreementId: AgreementId;
  readonly machineVersion: number;
  readonly proposer: Party;
  readonly partner: Party;
  /** The terms in force or under negotiation: the latest version. */
  readonly terms: VersionedTerms;
  readonly termsHistory: readonly TermsVersionEntry[];
  readonly acceptances: PerParty<Acceptance>;
  readonly councilApprovals: PerParty<CouncilApproval>;
  readonly signatures: PerParty<Signature>;
  readonly dates: AgreementDates;
  readonly suspension: Suspension | null;
  readonly renewals: readonly Renewal[];
  readonly ending: Ending | null;
  /**
   * Business date of the latest act that moved the lifecycle on (signing, activation, suspension,
   * reinstatement, renewal). Later acts may be recorded late, but may not be dated before it.
   */
  readonly lastLifecycleActOn: IsoDate;
}

const nobody = { proposer: null, partner: null } as const;

const withParty = <T>(perParty: PerParty<T>, party: PartyRole, value: T): PerParty<T> => ({
  ...perParty,
  [party]: value,
});

const withoutParty = <D extends { readonly party: PartyRole }>({
  party: _party,
  ...rest
}: D): Omit<D, 'party'> => rest;

/**
 * Folds one fact into the record. The machine only calls it for facts its guards accepted, so it
 * records and never judges. Before the first fact there is no record.
 */
export const recordFact = (
  record: AgreementRecord | null,
  event: AgreementEvent,
): AgreementRecord | null => {
  if (event.type === 'AgreementProposed') {
    const { data } = event;
    return {
      agreementId: data.agreementId,
      machineVersion: data.machineVersion,
      proposer: data.proposer,
      partner: data.partner,
      terms: data.terms,
      termsHistory: [{ terms: data.terms, proposedBy: 'proposer', proposedOn: data.proposedOn }],
      acceptances: nobody,
      councilApprovals: nobody,
      signatures: nobody,
      dates: {
        proposedOn: data.proposedOn,
        agreedOn: null,
        signedOn: null,
        activatedOn: null,
        suspendedOn: null,
        reinstatedOn: null,
        renewedOn: null,
        endedOn: null,
      },
      suspension: null,
      renewals: [],
      ending: null,
      lastLifecycleActOn: data.proposedOn,
    };
  }
  if (record === null) return null;
  const { dates } = record;
  switch (event.type) {
    case 'TermsCounterProposed': {
      const { party, terms, proposedOn } = event.data;
      return {
        ...record,
        terms,
        termsHistory: [...record.termsHistory, { terms, proposedBy: party, proposedOn }],
        // Everything agreed, approved or signed so far was about the older terms.
        acceptances: nobody,
        councilApprovals: nobody,
        signatures: nobody,
        dates: { ...dates, agreedOn: null },
      };
    }
    case 'TermsAccepted':
      return {
        ...record,
        acceptances: withParty(record.acceptances, event.data.party, withoutParty(event.data)),
      };
    case 'TermsAgreed':
      return { ...record, dates: { ...dates, agreedOn: event.data.agreedOn } };
    case 'CouncilApprovalRecorded':
      return {
        ...record,
        councilApprovals: withParty(
          record.councilApprovals,
          event.data.party,
          withoutParty(event.data),
        ),
      };
    case 'SignatureRecorded':
      return {
        ...record,
        signatures: withParty(record.signatures, event.data.party, withoutParty(event.data)),
      };
    case 'AgreementSigned':
      return {
        ...record,
        dates: { ...dates, signedOn: event.data.signedOn },
        lastLifecycleActOn: event.data.signedOn,
      };
    case 'AgreementActivated':
      return {
        ...record,
        dates: { ...dates, activatedOn: event.data.effectiveOn },
        lastLifecycleActOn: event.data.effectiveOn,
      };
    case 'AgreementSuspended':
      return {
        ...record,
        suspension: event.data,
        dates: { ...dates, suspendedOn: event.data.suspendedOn },
        lastLifecycleActOn: event.data.suspendedOn,
      };
    case 'AgreementReinstated':
      return {
        ...record,
        suspension: null,
        dates: { ...dates, reinstatedOn: event.data.reinstatedOn },
        lastLifecycleActOn: event.data.reinstatedOn,
      };
    case 'AgreementRenewed':
      return {
        ...record,
        terms: { ...record.terms, endDate: event.data.newEndDate },
        renewals: [...record.renewals, event.data],
        dates: { ...dates, renewedOn: event.data.renewedOn },
        lastLifecycleActOn: event.data.renewedOn,
      };
    case 'AgreementExpired':
      return {
        ...record,
        ending: { how: 'expired', on: event.data.expiredOn, party: null, reason: null },
        dates: { ...dates, endedOn: event.data.expiredOn },
      };
    case 'AgreementTerminated':
      return {
        ...record,
        ending: {
          how: 'terminated',
          on: event.data.terminatedOn,
          party: event.data.party,
          reason: event.data.reason,
        },
        dates: { ...dates, endedOn: event.data.terminatedOn },
      };
    case 'ProposalWithdrawn':
      return {
        ...record,
        ending: {
          how: 'withdrawn',
          on: event.data.withdrawnOn,
          party: 'proposer',
          reason: event.data.reason ?? null,
        },
        dates: { ...dates, endedOn: event.data.withdrawnOn },
      };
    case 'ProposalDeclined':
      return {
        ...record,
        ending: {
          how: 'declined',
          on: event.data.declinedOn,
          party: 'partner',
          reason: event.data.reason,
        },
        dates: { ...dates, endedOn: event.data.declinedOn },
      };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};
