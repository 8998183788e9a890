import type {
  AgreementEventType,
  AgreementId,
  AgreementKind,
  CityId,
  IsoDate,
  LifecycleState,
} from '@twinning/domain';
import type { StoredSummary } from './agreements-projection.js';

export interface PartyItem {
  readonly cityId: CityId;
  readonly name: string;
  readonly country: string;
}

/** One agreement in a list, a search result or a city page. */
export interface AgreementItem {
  readonly agreementId: AgreementId;
  readonly title: string;
  readonly kind: AgreementKind;
  readonly state: LifecycleState;
  readonly proposer: PartyItem;
  readonly partner: PartyItem;
  readonly dates: {
    readonly proposedOn: IsoDate;
    readonly agreedOn: IsoDate | null;
    readonly signedOn: IsoDate | null;
    readonly activatedOn: IsoDate | null;
    readonly suspendedOn: IsoDate | null;
    readonly endedOn: IsoDate | null;
    readonly startDate: IsoDate;
    readonly endDate: IsoDate | null;
  };
  readonly termsVersion: number;
  /** Business date and type of the latest event. */
  readonly lastChangedOn: IsoDate;
  readonly lastEventType: AgreementEventType;
  /** Global position and stream revision of the latest event, as decimal strings. */
  readonly lastPosition: string;
  readonly lastRevision: string;
}

/** Who is asking decides which agreements a list or feed may show. */
export type ReadScope =
  { readonly kind: 'everything' } | { readonly kind: 'municipality'; readonly cityId: string };

export const partyItemOf = (party: PartyItem): PartyItem => ({
  cityId: party.cityId,
  name: party.name,
  country: party.country,
});

export const agreementItemOf = (summary: StoredSummary): AgreementItem => ({
  agreementId: summary.agreementId,
  title: summary.title,
  kind: summary.kind,
  state: summary.state,
  proposer: partyItemOf(summary.proposer),
  partner: partyItemOf(summary.partner),
  dates: {
    proposedOn: summary.proposedOn,
    agreedOn: summary.agreedOn,
    signedOn: summary.signedOn,
    activatedOn: summary.activatedOn,
    suspendedOn: summary.suspendedOn,
    endedOn: summary.endedOn,
    startDate: summary.startDate,
    endDate: summary.endDate,
  },
  termsVersion: summary.termsVersion,
  lastChangedOn: summary.lastChangedOn,
  lastEventType: summary.lastEventType,
  lastPosition: summary.lastPosition,
  lastRevision: summary.lastRevision,
});
