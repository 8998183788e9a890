import { z } from 'zod';
import { ActorSchema, EvidenceSchema, PartyRoleSchema } from './actor.js';
import { AgreementIdSchema, IsoDateSchema } from './ids.js';
import { PartySchema, TermsSchema } from './terms.js';

/**
 * What clerks (and the expiry reactor) ask for. Every command names its actor; a party act also
 * names the party it is done for. The business date of the act travels with the command, so a
 * signature made on paper last week can be recorded today.
 */
const addressed = { agreementId: AgreementIdSchema, actor: ActorSchema };
const partyAct = { ...addressed, party: PartyRoleSchema };
/** Acts a clerk may record for an unrepresented partner city, with evidence. */
const recordableAct = { ...partyAct, evidence: EvidenceSchema.optional() };
const termsVersion = z.number().int().positive();

export const ProposeAgreementSchema = z.object({
  type: z.literal('ProposeAgreement'),
  ...addressed,
  proposer: PartySchema,
  partner: PartySchema,
  terms: TermsSchema,
  proposedOn: IsoDateSchema,
});

export const CounterProposeTermsSchema = z.object({
  type: z.literal('CounterProposeTerms'),
  ...partyAct,
  terms: TermsSchema,
  proposedOn: IsoDateSchema,
});

export const AcceptTermsSchema = z.object({
  type: z.literal('AcceptTerms'),
  ...recordableAct,
  termsVersion,
  acceptedOn: IsoDateSchema,
});

export const RecordCouncilApprovalSchema = z.object({
  type: z.literal('RecordCouncilApproval'),
  ...recordableAct,
  termsVersion,
  resolutionReference: z.string().min(1),
  approvedOn: IsoDateSchema,
});

export const SignatorySchema = z.strictObject({
  name: z.string().min(1),
  title: z.string().min(1),
});
export type Signatory = z.infer<typeof SignatorySchema>;

export const RecordSignatureSchema = z.object({
  type: z.literal('RecordSignature'),
  ...recordableAct,
  termsVersion,
  signatory: SignatorySchema,
  signedOn: IsoDateSchema,
  place: z.string().min(1),
});

export const ActivateAgreementSchema = z.object({
  type: z.literal('ActivateAgreement'),
  ...partyAct,
  effectiveOn: IsoDateSchema,
});

export const SuspendAgreementSchema = z.object({
  type: z.literal('SuspendAgreement'),
  ...partyAct,
  reason: z.string().min(1),
  councilResolutionReference: z.string().min(1).optional(),
  suspendedOn: IsoDateSchema,
});

export const ReinstateAgreementSchema = z.object({
  type: z.literal('ReinstateAgreement'),
  ...partyAct,
  councilResolutionReference: z.string().min(1).optional(),
  reinstatedOn: IsoDateSchema,
});

export const RenewAgreementSchema = z.object({
  type: z.literal('RenewAgreement'),
  ...partyAct,
  newEndDate: IsoDateSchema,
  renewedOn: IsoDateSchema,
});

export const TerminateAgreementSchema = z.object({
  type: z.literal('TerminateAgreement'),
  ...partyAct,
  reason: z.string().min(1),
  terminatedOn: IsoDateSchema,
});

/** Only the proposer withdraws, so the party is implied. */
export const WithdrawProposalSchema = z.object({
  type: z.literal('WithdrawProposal'),
  ...addressed,
  reason: z.string().min(1).optional(),
  withdrawnOn: IsoDateSchema,
});

/** Only the partner declines, so the party is implied. */
export const DeclineProposalSchema = z.object({
  type: z.literal('DeclineProposal'),
  ...addressed,
  reason: z.string().min(1),
  declinedOn: IsoDateSchema,
});

/** Issued by the system's expiry reactor once a fixed-term agreement's end date is reached. */
export const ExpireAgreementSchema = z.object({
  type: z.literal('ExpireAgreement'),
  ...addressed,
  expiredOn: IsoDateSchema,
});

export const CommandSchema = z.discriminatedUnion('type', [
  ProposeAgreementSchema,
  CounterProposeTermsSchema,
  AcceptTermsSchema,
  RecordCouncilApprovalSchema,
  RecordSignatureSchema,
  ActivateAgreementSchema,
  SuspendAgreementSchema,
  ReinstateAgreementSchema,
  RenewAgreementSchema,
  TerminateAgreementSchema,
  WithdrawProposalSchema,
  DeclineProposalSchema,
  ExpireAgreementSchema,
]);

export type ProposeAgreement = z.infer<typeof ProposeAgreementSchema>;
export type CounterProposeTerms = z.infer<typeof CounterProposeTermsSchema>;
export type AcceptTerms = z.infer<typeof AcceptTermsSchema>;
export type RecordCouncilApproval = z.infer<typeof RecordCouncilApprovalSchema>;
export type RecordSignature = z.infer<typeof RecordSignatureSchema>;
export type ActivateAgreement = z.infer<typeof ActivateAgreementSchema>;
export type SuspendAgreement = z.infer<typeof SuspendAgreementSchema>;
export type ReinstateAgreement = z.infer<typeof ReinstateAgreementSchema>;
export type RenewAgreement = z.infer<typeof RenewAgreementSchema>;
export type TerminateAgreement = z.infer<typeof TerminateAgreementSchema>;
export type WithdrawProposal = z.infer<typeof WithdrawProposalSchema>;
export type DeclineProposal = z.infer<typeof DeclineProposalSchema>;
export type ExpireAgreement = z.infer<typeof ExpireAgreementSchema>;
export type Command = z.infer<typeof CommandSchema>;
export type CommandType = Command['type'];

export const COMMAND_TYPES = CommandSchema.options.map(
  (schema) => schema.shape.type.value,
) as readonly CommandType[];
