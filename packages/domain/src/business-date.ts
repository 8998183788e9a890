import type { AgreementEvent } from './events.js';
import type { IsoDate } from './ids.js';

/** The day the act an event records took place (business time), as the event states it. */
export const businessDateOf = (event: AgreementEvent): IsoDate => {
  switch (event.type) {
    case 'AgreementProposed':
    case 'TermsCounterProposed':
      return event.data.proposedOn;
    case 'TermsAccepted':
      return event.data.acceptedOn;
    case 'TermsAgreed':
      return event.data.agreedOn;
    case 'CouncilApprovalRecorded':
      return event.data.approvedOn;
    case 'SignatureRecorded':
    case 'AgreementSigned':
      return event.data.signedOn;
    case 'AgreementActivated':
      return event.data.effectiveOn;
    case 'AgreementSuspended':
      return event.data.suspendedOn;
    case 'AgreementReinstated':
      return event.data.reinstatedOn;
    case 'AgreementRenewed':
      return event.data.renewedOn;
    case 'AgreementExpired':
      return event.data.expiredOn;
    case 'AgreementTerminated':
      return event.data.terminatedOn;
    case 'ProposalWithdrawn':
      return event.data.withdrawnOn;
    case 'ProposalDeclined':
      return event.data.declinedOn;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};
