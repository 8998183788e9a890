import { and, assign, setup } from 'xstate';
import { recordFact, type AgreementRecord } from './agreement-record.js';
import { RULES, RULES_FOR, ruleHolds, type LifecycleEvent, type RuleName } from './rules.js';

export interface AgreementContext {
  /** `null` until the agreement is proposed. */
  readonly agreement: AgreementRecord | null;
}

type Guard = (args: {
  readonly context: AgreementContext;
  readonly event: LifecycleEvent;
}) => boolean;

const guards = Object.fromEntries(
  (Object.keys(RULES) as RuleName[]).map((name) => [
    name,
    (({ context, event }) => ruleHolds(name, context.agreement, event)) satisfies Guard,
  ]),
) as Record<RuleName, Guard>;

/**
 * Version 1 of the agreement lifecycle. Its events are the domain events themselves (facts), so
 * replaying a stream is feeding its events to `transition()`. Every transition is guarded by the
 * named rules for its fact and records the fact in the context.
 *
 * A machine version, once streams were created under it, is never edited: a change to the rules
 * is a new machine registered under the next version (see `machine-versions.ts`). Every version
 * consumes the latest event shapes, because upcasting happens before anything is folded.
 */
export const agreementMachineV1 = setup({
  types: {
    context: {} as AgreementContext,
    events: {} as LifecycleEvent,
  },
  guards,
  actions: {
    recordFact: assign({
      agreement: ({ context, event }) => recordFact(context.agreement, event),
    }),
  },
}).createMachine({
  id: 'agreement',
  context: { agreement: null },
  initial: 'not_proposed',
  states: {
    not_proposed: {
      on: {
        AgreementProposed: {
          target: 'negotiating',
          guard: and(RULES_FOR.AgreementProposed),
          actions: 'recordFact',
        },
      },
    },
    negotiating: {
      initial: 'proposed',
      on: {
        // A counter-proposal reopens negotiation from wherever it had got to before signing.
        TermsCounterProposed: {
          target: '.proposed',
          guard: and(RULES_FOR.TermsCounterProposed),
          actions: 'recordFact',
        },
        ProposalWithdrawn: {
          target: 'withdrawn',
          guard: and(RULES_FOR.ProposalWithdrawn),
          actions: 'recordFact',
        },
        ProposalDeclined: {
          target: 'declined',
          guard: and(RULES_FOR.ProposalDeclined),
          actions: 'recordFact',
        },
      },
      states: {
        proposed: {
          on: {
            TermsAccepted: { guard: and(RULES_FOR.TermsAccepted), actions: 'recordFact' },
            TermsAgreed: {
              target: 'negotiated',
              guard: and(RULES_FOR.TermsAgreed),
              actions: 'recordFact',
            },
          },
        },
        negotiated: {
          on: {
            CouncilApprovalRecorded: {
              guard: and(RULES_FOR.CouncilApprovalRecorded),
              actions: 'recordFact',
            },
            SignatureRecorded: {
              target: 'partially_signed',
              guard: and(RULES_FOR.SignatureRecorded),
              actions: 'recordFact',
            },
          },
        },
        partially_signed: {
          on: {
            CouncilApprovalRecorded: {
              guard: and(RULES_FOR.CouncilApprovalRecorded),
              actions: 'recordFact',
            },
            SignatureRecorded: {
              guard: and(RULES_FOR.SignatureRecorded),
              actions: 'recordFact',
            },
            AgreementSigned: {
              target: '#agreement.signed',
              guard: and(RULES_FOR.AgreementSigned),
              actions: 'recordFact',
            },
          },
        },
      },
    },
    signed: {
      on: {
        AgreementActivated: {
          target: 'in_force',
          guard: and(RULES_FOR.AgreementActivated),
          actions: 'recordFact',
        },
      },
    },
    in_force: {
      initial: 'active',
      on: {
        AgreementExpired: {
          target: 'expired',
          guard: and(RULES_FOR.AgreementExpired),
          actions: 'recordFact',
        },
        AgreementTerminated: {
          target: 'terminated',
          guard: and(RULES_FOR.AgreementTerminated),
          actions: 'recordFact',
        },
      },
      states: {
        active: {
          on: {
            AgreementSuspended: {
              target: 'suspended',
              guard: and(RULES_FOR.AgreementSuspended),
              actions: 'recordFact',
            },
            AgreementRenewed: { guard: and(RULES_FOR.AgreementRenewed), actions: 'recordFact' },
          },
        },
        suspended: {
          on: {
            AgreementReinstated: {
              target: 'active',
              guard: and(RULES_FOR.AgreementReinstated),
              actions: 'recordFact',
            },
          },
        },
      },
    },
    withdrawn: { type: 'final' },
    declined: { type: 'final' },
    expired: { type: 'final' },
    terminated: { type: 'final' },
  },
});

export type AgreementMachine = typeof agreementMachineV1;
