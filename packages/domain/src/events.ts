import { z } from 'zod';
import { EvidenceSchema, PartyRoleSchema } from './actor.js';
import { SignatorySchema } from './commands.js';
import { AgreementIdSchema, IsoDateSchema } from './ids.js';
import { PartySchema, VersionedTermsSchema } from './terms.js';

/**
 * Domain events: `{ type, schemaVersion, data }`. The application wraps each with its metadata
 * (event id, actor, correlation, times, hash chain). `schemaVersion` is the version of `data`'s
 * shape; older stored versions are brought to these shapes by `upcast` before anything reads them.
 */
const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ type: z.literal(type), schemaVersion: z.literal(1), data });

const termsVersion = z.number().int().positive();
const recordedForOtherParty = { evidence: EvidenceSchema.optional() };

export const AgreementProposedSchema = event(
  'AgreementProposed',
  z.object({
    agreementId: AgreementIdSchema,
    /** The lifecycle machine version the stream is replayed under, for its whole life. */
    machineVersion: z.number().int().positive(),
    proposer: PartySchema,
    partner: PartySchema,
    terms: VersionedTermsSchema.refine((terms) => terms.version === 1, {
      message: 'the first terms are version 1',
      path: ['version'],
    }),
    proposedOn: IsoDateSchema,
  }),
);

export const TermsCounterProposedSchema = event(
  'TermsCounterProposed',
  z.object({ party: PartyRoleSchema, terms: VersionedTermsSchema, proposedOn: IsoDateSchema }),
);

export const TermsAcceptedSchema = event(
  'TermsAccepted',
  z.object({
    party: PartyRoleSchema,
    termsVersion,
    acceptedOn: IsoDateSchema,
    ...recordedForOtherParty,
  }),
);

export const TermsAgreedSchema = event(
  'TermsAgreed',
  z.object({ termsVersion, agreedOn: IsoDateSchema }),
);

export const CouncilApprovalRecordedSchema = event(
  'CouncilApprovalRecorded',
  z.object({
    party: PartyRoleSchema,
    termsVersion,
    resolutionReference: z.string().min(1),
    approvedOn: IsoDateSchema,
    ...recordedForOtherParty,
  }),
);

export const SignatureRecordedSchema = event(
  'SignatureRecorded',
  z.object({
    party: PartyRoleSchema,
    termsVersion,
    signatory: SignatorySchema,
    signedOn: IsoDateSchema,
    place: z.string().min(1),
    ...recordedForOtherParty,
  }),
);

export const AgreementSignedSchema = event(
  'AgreementSigned',
  z.object({ termsVersion, signedOn: IsoDateSchema }),
);

export const AgreementActivatedSchema = event(
  'AgreementActivated',
  z.object({ party: PartyRoleSchema, effectiveOn: IsoDateSchema }),
);

export const AgreementSuspendedSchema = event(
  'AgreementSuspended',
  z.object({
    party: PartyRoleSchema,
    reason: z.string().min(1),
    councilResolutionReference: z.string().min(1).optional(),
    suspendedOn: IsoDateSchema,
  }),
);

export const AgreementReinstatedSchema = event(
  'AgreementReinstated',
  z.object({
    party: PartyRoleSchema,
    councilResolutionReference: z.string().min(1).optional(),
    reinstatedOn: IsoDateSchema,
  }),
);

export const AgreementRenewedSchema = event(
  'AgreementRenewed',
  z.object({
    party: PartyRoleSchema,
    previousEndDate: IsoDateSchema,
    newEndDate: IsoDateSchema,
    renewedOn: IsoDateSchema,
  }),
);

export const AgreementExpiredSchema = event(
  'AgreementExpired',
  z.object({ endDate: IsoDateSchema, expiredOn: IsoDateSchema }),
);

export const AgreementTerminatedSchema = event(
  'AgreementTerminated',
  z.object({ party: PartyRoleSchema, reason: z.string().min(1), terminatedOn: IsoDateSchema }),
);

export const ProposalWithdrawnSchema = event(
  'ProposalWithdrawn',
  z.object({ reason: z.string().min(1).optional(), withdrawnOn: IsoDateSchema }),
);

export const ProposalDeclinedSchema = event(
  'ProposalDeclined',
  z.object({ reason: z.string().min(1), declinedOn: IsoDateSchema }),
);

export const AgreementEventSchema = z.discriminatedUnion('type', [
  AgreementProposedSchema,
  TermsCounterProposedSchema,
  TermsAcceptedSchema,
  TermsAgreedSchema,
  CouncilApprovalRecordedSchema,
  SignatureRecordedSchema,
  AgreementSignedSchema,
  AgreementActivatedSchema,
  AgreementSuspendedSchema,
  AgreementReinstatedSchema,
  AgreementRenewedSchema,
  AgreementExpiredSchema,
  AgreementTerminatedSchema,
  ProposalWithdrawnSchema,
  ProposalDeclinedSchema,
]);

export type AgreementProposed = z.infer<typeof AgreementProposedSchema>;
export type TermsCounterProposed = z.infer<typeof TermsCounterProposedSchema>;
export type TermsAccepted = z.infer<typeof TermsAcceptedSchema>;
export type TermsAgreed = z.infer<typeof TermsAgreedSchema>;
export type CouncilApprovalRecorded = z.infer<typeof CouncilApprovalRecordedSchema>;
export type SignatureRecorded = z.infer<typeof SignatureRecordedSchema>;
export type AgreementSigned = z.infer<typeof AgreementSignedSchema>;
export type AgreementActivated = z.infer<typeof AgreementActivatedSchema>;
export type AgreementSuspended = z.infer<typeof AgreementSuspendedSchema>;
export type AgreementReinstated = z.infer<typeof AgreementReinstatedSchema>;
export type AgreementRenewed = z.infer<typeof AgreementRenewedSchema>;
export type AgreementExpired = z.infer<typeof AgreementExpiredSchema>;
export type AgreementTerminated = z.infer<typeof AgreementTerminatedSchema>;
export type ProposalWithdrawn = z.infer<typeof ProposalWithdrawnSchema>;
export type ProposalDeclined = z.infer<typeof ProposalDeclinedSchema>;
export type AgreementEvent = z.infer<typeof AgreementEventSchema>;
export type AgreementEventType = AgreementEvent['type'];
export type AgreementEventOf<T extends AgreementEventType> = Extract<AgreementEvent, { type: T }>;

/** The schema version every event type is written with today. */
export const LATEST_SCHEMA_VERSIONS = Object.fromEntries(
  AgreementEventSchema.options.map((schema) => [
    schema.shape.type.value,
    schema.shape.schemaVersion.value,
  ]),
) as { readonly [T in AgreementEventType]: AgreementEventOf<T>['schemaVersion'] };

export const AGREEMENT_EVENT_TYPES = AgreementEventSchema.options.map(
  (schema) => schema.shape.type.value,
) as readonly AgreementEventType[];
