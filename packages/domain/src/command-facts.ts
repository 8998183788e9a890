import type { PartyRole } from './actor.js';
import type { AgreementRecord } from './agreement-record.js';
import type { Command, CommandType } from './commands.js';
import type { AgreementEvent, AgreementEventType } from './events.js';
import { laterOf } from './ids.js';

/** The fact each command asks the machine to accept. */
export const FACT_OF_COMMAND = {
  ProposeAgreement: 'AgreementProposed',
  CounterProposeTerms: 'TermsCounterProposed',
  AcceptTerms: 'TermsAccepted',
  RecordCouncilApproval: 'CouncilApprovalRecorded',
  RecordSignature: 'SignatureRecorded',
  ActivateAgreement: 'AgreementActivated',
  SuspendAgreement: 'AgreementSuspended',
  ReinstateAgreement: 'AgreementReinstated',
  RenewAgreement: 'AgreementRenewed',
  TerminateAgreement: 'AgreementTerminated',
  WithdrawProposal: 'ProposalWithdrawn',
  DeclineProposal: 'ProposalDeclined',
  ExpireAgreement: 'AgreementExpired',
} as const satisfies { readonly [C in CommandType]: AgreementEventType };

/** The parties a command type can be issued for (`undefined`: the system's own act). */
export const PARTIES_OF_COMMAND: {
  readonly [C in CommandType]: readonly (PartyRole | undefined)[];
} = {
  ProposeAgreement: ['proposer'],
  CounterProposeTerms: ['proposer', 'partner'],
  AcceptTerms: ['proposer', 'partner'],
  RecordCouncilApproval: ['proposer', 'partner'],
  RecordSignature: ['proposer', 'partner'],
  ActivateAgreement: ['proposer', 'partner'],
  SuspendAgreement: ['proposer', 'partner'],
  ReinstateAgreement: ['proposer', 'partner'],
  RenewAgreement: ['proposer', 'partner'],
  TerminateAgreement: ['proposer', 'partner'],
  WithdrawProposal: ['proposer'],
  DeclineProposal: ['partner'],
  ExpireAgreement: [undefined],
};

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/**
 * The fact a command proposes. It is only a candidate: the machine's guards decide whether it may
 * be recorded. Values the command does not carry come from the record (the next terms version, the
 * end date being renewed or reached).
 */
export const candidateFact = (
  command: Command,
  agreement: AgreementRecord | null,
  machineVersion: number,
): AgreementEvent => {
  const currentTerms = agreement?.terms;
  switch (command.type) {
    case 'ProposeAgreement':
      return {
        type: 'AgreementProposed',
        schemaVersion: 1,
        data: {
          agreementId: command.agreementId,
          machineVersion,
          proposer: command.proposer,
          partner: command.partner,
          terms: { version: 1, ...command.terms },
          proposedOn: command.proposedOn,
        },
      };
    case 'CounterProposeTerms':
      return {
        type: 'TermsCounterProposed',
        schemaVersion: 1,
        data: {
          party: command.party,
          terms: { version: (currentTerms?.version ?? 0) + 1, ...command.terms },
          proposedOn: command.proposedOn,
        },
      };
    case 'AcceptTerms':
      return {
        type: 'TermsAccepted',
        schemaVersion: 1,
        data: {
          party: command.party,
          termsVersion: command.termsVersion,
          acceptedOn: command.acceptedOn,
          ...optional('evidence', command.evidence),
        },
      };
    case 'RecordCouncilApproval':
      return {
        type: 'CouncilApprovalRecorded',
        schemaVersion: 1,
        data: {
          party: command.party,
          termsVersion: command.termsVersion,
          resolutionReference: command.resolutionReference,
          approvedOn: command.approvedOn,
          ...optional('evidence', command.evidence),
        },
      };
    case 'RecordSignature':
      return {
        type: 'SignatureRecorded',
        schemaVersion: 1,
        data: {
          party: command.party,
          termsVersion: command.termsVersion,
          signatory: command.signatory,
          signedOn: command.signedOn,
          place: command.place,
          ...optional('evidence', command.evidence),
        },
      };
    case 'ActivateAgreement':
      return {
        type: 'AgreementActivated',
        schemaVersion: 1,
        data: { party: command.party, effectiveOn: command.effectiveOn },
      };
    case 'SuspendAgreement':
      return {
        type: 'AgreementSuspended',
        schemaVersion: 1,
        data: {
          party: command.party,
          reason: command.reason,
          ...optional('councilResolutionReference', command.councilResolutionReference),
          suspendedOn: command.suspendedOn,
        },
      };
    case 'ReinstateAgreement':
      return {
        type: 'AgreementReinstated',
        schemaVersion: 1,
        data: {
          party: command.party,
          ...optional('councilResolutionReference', command.councilResolutionReference),
          reinstatedOn: command.reinstatedOn,
        },
      };
    case 'RenewAgreement':
      return {
        type: 'AgreementRenewed',
        schemaVersion: 1,
        data: {
          party: command.party,
          // An open-ended agreement has no end date to renew; NOT_FIXED_TERM rejects the fact
          // before this stand-in could be recorded.
          previousEndDate: currentTerms?.endDate ?? command.newEndDate,
          newEndDate: command.newEndDate,
          renewedOn: command.renewedOn,
        },
      };
    case 'TerminateAgreement':
      return {
        type: 'AgreementTerminated',
        schemaVersion: 1,
        data: { party: command.party, reason: command.reason, terminatedOn: command.terminatedOn },
      };
    case 'WithdrawProposal':
      return {
        type: 'ProposalWithdrawn',
        schemaVersion: 1,
        data: { ...optional('reason', command.reason), withdrawnOn: command.withdrawnOn },
      };
    case 'DeclineProposal':
      return {
        type: 'ProposalDeclined',
        schemaVersion: 1,
        data: { reason: command.reason, declinedOn: command.declinedOn },
      };
    case 'ExpireAgreement':
      return {
        type: 'AgreementExpired',
        schemaVersion: 1,
        // As for renewal: without an end date, NOT_FIXED_TERM rejects the fact first.
        data: { endDate: currentTerms?.endDate ?? command.expiredOn, expiredOn: command.expiredOn },
      };
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};

/**
 * The fact that may follow another as its consequence: the second acceptance of the same terms
 * agrees them, the second signature signs the agreement. Whether it does is the machine's call.
 */
export const consequentFact = (
  agreement: AgreementRecord | null,
  fact: AgreementEvent,
): AgreementEvent | undefined => {
  if (agreement === null) return undefined;
  const { acceptances, signatures, terms } = agreement;
  if (
    fact.type === 'TermsAccepted' &&
    acceptances.proposer !== null &&
    acceptances.partner !== null
  ) {
    return {
      type: 'TermsAgreed',
      schemaVersion: 1,
      data: {
        termsVersion: terms.version,
        agreedOn: laterOf(acceptances.proposer.acceptedOn, acceptances.partner.acceptedOn),
      },
    };
  }
  if (
    fact.type === 'SignatureRecorded' &&
    signatures.proposer !== null &&
    signatures.partner !== null
  ) {
    return {
      type: 'AgreementSigned',
      schemaVersion: 1,
      data: {
        termsVersion: terms.version,
        signedOn: laterOf(signatures.proposer.signedOn, signatures.partner.signedOn),
      },
    };
  }
  return undefined;
};
