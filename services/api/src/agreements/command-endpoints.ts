import {
  AcceptTermsSchema,
  ActivateAgreementSchema,
  CounterProposeTermsSchema,
  DeclineProposalSchema,
  IsoDateSchema,
  PartyRoleSchema,
  ProposeAgreementSchema,
  RecordCouncilApprovalSchema,
  RecordSignatureSchema,
  ReinstateAgreementSchema,
  RenewAgreementSchema,
  SuspendAgreementSchema,
  TerminateAgreementSchema,
  WithdrawProposalSchema,
  type CommandType,
} from '@twinning/domain';
import type { z } from 'zod';

/**
 * One endpoint per lifecycle command. A body is the domain command without what the API supplies
 * itself: the command type (from the route), the agreement id (from the path), the actor (from the
 * token). The acting party defaults to the caller's own city; the business date of the act
 * defaults to today. Everything else is the domain's own schema, so the rules live in one place.
 * Unknown fields are refused rather than dropped: a misspelt date field would otherwise silently
 * record the act as done today.
 */
const withoutApiSupplied = { type: true, agreementId: true, actor: true } as const;
const today = { description: 'Business date of the act (YYYY-MM-DD); defaults to today (UTC).' };
const partyField = PartyRoleSchema.optional().describe(
  "The party the act is done for; defaults to the caller's own city. A clerk records the other party's act only when that city has no clerks of its own, with `evidence`.",
);

export interface CommandEndpoint<Body extends z.ZodType = z.ZodType> {
  readonly commandType: Exclude<CommandType, 'ExpireAgreement'>;
  /** Path below `/agreements/{id}`; `undefined` for the proposal, which is `POST /agreements`. */
  readonly path: string | undefined;
  readonly summary: string;
  readonly body: Body;
  /** The body field holding the business date, filled with today when absent. */
  readonly dateField: string;
  readonly example: Readonly<Record<string, unknown>>;
}

const endpoint = <Body extends z.ZodType>(definition: CommandEndpoint<Body>) => definition;

export const COMMAND_ENDPOINTS = [
  endpoint({
    commandType: 'ProposeAgreement',
    path: undefined,
    summary: 'Propose a partnership to a partner city',
    body: ProposeAgreementSchema.omit(withoutApiSupplied)
      .extend({
        proposedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'proposedOn',
    example: {
      proposer: {
        cityId: 'gb-coventry',
        name: 'Coventry',
        country: 'GB',
        councilApprovalRequired: true,
      },
      partner: {
        cityId: 'de-dresden',
        name: 'Dresden',
        country: 'DE',
        councilApprovalRequired: true,
      },
      terms: {
        title: 'Coventry and Dresden',
        purpose: 'Reconciliation and friendship between two cities rebuilt after the war',
        areasOfExchange: ['culture', 'youth', 'heritage'],
        kind: 'sister_city',
        startDate: '1959-01-01',
      },
      proposedOn: '1956-03-01',
    },
  }),
  endpoint({
    commandType: 'CounterProposeTerms',
    path: 'counter-proposals',
    summary: 'Counter-propose new terms (clears acceptances made on older terms)',
    body: CounterProposeTermsSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        proposedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'proposedOn',
    example: {
      terms: {
        title: 'Coventry and Dresden',
        purpose: 'Reconciliation, youth exchanges and shared heritage work',
        areasOfExchange: ['culture', 'youth', 'heritage', 'education'],
        kind: 'sister_city',
        startDate: '1959-01-01',
      },
    },
  }),
  endpoint({
    commandType: 'AcceptTerms',
    path: 'acceptances',
    summary: 'Accept a version of the terms',
    body: AcceptTermsSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        acceptedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'acceptedOn',
    example: { termsVersion: 1 },
  }),
  endpoint({
    commandType: 'RecordCouncilApproval',
    path: 'council-approvals',
    summary: "Record a council's approval of the agreed terms",
    body: RecordCouncilApprovalSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        approvedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'approvedOn',
    example: { termsVersion: 1, resolutionReference: 'Council minute 1956/412' },
  }),
  endpoint({
    commandType: 'RecordSignature',
    path: 'signatures',
    summary: "Record a party's signature",
    body: RecordSignatureSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        signedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'signedOn',
    example: {
      termsVersion: 1,
      signatory: { name: 'Lord Mayor of Coventry', title: 'Lord Mayor' },
      place: 'Coventry',
      signedOn: '1956-06-15',
    },
  }),
  endpoint({
    commandType: 'ActivateAgreement',
    path: 'activation',
    summary: 'Activate a signed agreement on or after its effective date',
    body: ActivateAgreementSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        effectiveOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'effectiveOn',
    example: { effectiveOn: '1959-01-01' },
  }),
  endpoint({
    commandType: 'SuspendAgreement',
    path: 'suspension',
    summary: 'Suspend an active partnership',
    body: SuspendAgreementSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        suspendedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'suspendedOn',
    example: {
      reason: 'Suspended by council vote; not a permanent end to the link between our peoples',
      councilResolutionReference: 'Council resolution 2022/17',
    },
  }),
  endpoint({
    commandType: 'ReinstateAgreement',
    path: 'reinstatement',
    summary: 'Reinstate a suspended partnership',
    body: ReinstateAgreementSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        reinstatedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'reinstatedOn',
    example: { councilResolutionReference: 'Council resolution 2025/3' },
  }),
  endpoint({
    commandType: 'RenewAgreement',
    path: 'renewals',
    summary: 'Renew a fixed-term agreement with a later end date',
    body: RenewAgreementSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        renewedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'renewedOn',
    example: { newEndDate: '2030-12-31' },
  }),
  endpoint({
    commandType: 'TerminateAgreement',
    path: 'termination',
    summary: 'Terminate a partnership',
    body: TerminateAgreementSchema.omit(withoutApiSupplied)
      .extend({
        party: partyField,
        terminatedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'terminatedOn',
    example: { reason: 'Ended by council resolution' },
  }),
  endpoint({
    commandType: 'WithdrawProposal',
    path: 'withdrawal',
    summary: 'Withdraw a proposal before it is signed (proposer only)',
    body: WithdrawProposalSchema.omit(withoutApiSupplied)
      .extend({
        withdrawnOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'withdrawnOn',
    example: { reason: 'The council chose another partner' },
  }),
  endpoint({
    commandType: 'DeclineProposal',
    path: 'decline',
    summary: 'Decline a proposal before it is signed (partner only)',
    body: DeclineProposalSchema.omit(withoutApiSupplied)
      .extend({
        declinedOn: IsoDateSchema.optional().describe(today.description),
      })
      .strict(),
    dateField: 'declinedOn',
    example: { reason: 'Not a good time for our council' },
  }),
] as const;
