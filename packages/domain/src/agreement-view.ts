import type {
  AgreementDates,
  Acceptance,
  CouncilApproval,
  Ending,
  PerParty,
  Renewal,
  Signature,
  Suspension,
  TermsVersionEntry,
} from './agreement-record.js';
import { lifecycleStateOf, type AgreementState, type LifecycleState } from './agreement-state.js';
import type { AgreementId } from './ids.js';
import type { Party, VersionedTerms } from './terms.js';

/** An agreement as callers see it: plain data, safe to serialise. */
export interface AgreementView {
  readonly agreementId: AgreementId;
  readonly lifecycleState: LifecycleState;
  readonly ended: boolean;
  readonly machineVersion: number;
  readonly proposer: Party;
  readonly partner: Party;
  readonly terms: VersionedTerms;
  readonly termsHistory: readonly TermsVersionEntry[];
  readonly acceptances: PerParty<Acceptance>;
  readonly councilApprovals: PerParty<CouncilApproval>;
  readonly signatures: PerParty<Signature>;
  readonly dates: AgreementDates;
  readonly suspension: Suspension | null;
  readonly renewals: readonly Renewal[];
  readonly ending: Ending | null;
}

/** `null` while nothing has been proposed: there is no agreement to show. */
export const toAgreementView = (state: AgreementState): AgreementView | null => {
  const lifecycleState = lifecycleStateOf(state);
  const record = state.snapshot.context.agreement;
  if (lifecycleState === 'not_proposed' || record === null) return null;
  const { lastLifecycleActOn: _internal, ...shown } = record;
  return { ...shown, lifecycleState, ended: state.snapshot.status === 'done' };
};
