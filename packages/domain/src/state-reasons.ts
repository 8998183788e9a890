import type { LifecycleState } from './agreement-state.js';
import type { CommandType } from './commands.js';
import type { RejectionReason } from './domain-error.js';

interface Refusal {
  readonly reason: RejectionReason;
  readonly message: string;
}

const BEFORE_SIGNING: ReadonlySet<LifecycleState> = new Set([
  'proposed',
  'negotiated',
  'partially_signed',
]);

const refusal = (reason: RejectionReason, message: string): Refusal => ({ reason, message });

/**
 * Why the agreement's present lifecycle state has no transition for a command, for an agreement
 * that exists and has not ended. The machine's structure already decides that it is refused;
 * this only names the reason.
 */
export const refusalInState = (command: CommandType, state: LifecycleState): Refusal => {
  const signedAlready = refusal('ALREADY_SIGNED', `the agreement is already signed (${state})`);
  switch (command) {
    case 'ProposeAgreement':
      return refusal('AGREEMENT_ALREADY_EXISTS', 'this agreement has already been proposed');
    case 'CounterProposeTerms':
    case 'WithdrawProposal':
    case 'DeclineProposal':
      return signedAlready;
    case 'AcceptTerms':
      return BEFORE_SIGNING.has(state)
        ? refusal('TERMS_ALREADY_AGREED', 'both parties have already agreed these terms')
        : signedAlready;
    case 'RecordCouncilApproval':
    case 'RecordSignature':
      return state === 'proposed'
        ? refusal('TERMS_NOT_AGREED', 'both parties must first accept the same terms')
        : signedAlready;
    case 'ActivateAgreement':
      return BEFORE_SIGNING.has(state)
        ? refusal('NOT_SIGNED', 'only a signed agreement is activated')
        : refusal('ALREADY_ACTIVE', 'the agreement has already been activated');
    case 'SuspendAgreement':
      return refusal('NOT_ACTIVE', `only an active agreement is suspended (it is ${state})`);
    case 'RenewAgreement':
      return refusal('NOT_ACTIVE', `only an active agreement is renewed (it is ${state})`);
    case 'ReinstateAgreement':
      return refusal('NOT_SUSPENDED', `only a suspended agreement is reinstated (it is ${state})`);
    case 'TerminateAgreement':
    case 'ExpireAgreement':
      return refusal(
        'NOT_IN_FORCE',
        `only an active or suspended agreement ends this way (it is ${state})`,
      );
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};
