import {
  AgreementRenewedSchema,
  AgreementSuspendedSchema,
  CouncilApprovalRecordedSchema,
  LIFECYCLE_STATES,
  PartyRoleSchema,
  PartySchema,
  SignatureRecordedSchema,
  TermsAcceptedSchema,
  VersionedTermsSchema,
  allowedCommands,
  toAgreementView,
  type Actor as DomainActor,
  type AgreementView,
  type CityId,
  type CommandType,
  type PartyRole,
} from '@twinning/domain';
import type { LoadedAgreement, StoredAgreementEvent } from '@twinning/agreements';
import { z } from 'zod';
import type { Actor } from '../auth/index.js';

/** Positions and revisions are bigints in code and decimal strings in JSON. */
export const DecimalString = z.string().regex(/^\d+$/);

/**
 * The clerk as the domain sees them. Clerks are the only people who issue commands; auditors and
 * admins are stopped at the route, and the machine refuses anyone else again.
 */
export const domainActorOf = (actor: Actor): DomainActor => ({
  subject: actor.subject,
  displayName: actor.displayName,
  role: actor.roles.includes('clerk') ? 'clerk' : (actor.roles[0] ?? 'auditor'),
  ...(actor.municipality === null ? {} : { municipality: actor.municipality as CityId }),
});

/** The party a caller acts for by default: the one whose city is their municipality. */
export const ownPartyOf = (agreement: LoadedAgreement, actor: Actor): PartyRole => {
  const record = agreement.state.snapshot.context.agreement;
  return record !== null && record.partner.cityId === actor.municipality ? 'partner' : 'proposer';
};

export interface AgreementRepresentation {
  readonly agreement: AgreementView;
  readonly revision: string;
  /** What this caller may ask for now. */
  readonly allowedCommands: readonly CommandType[];
}

export const representAgreement = (
  loaded: LoadedAgreement,
  view: AgreementView,
  caller: Actor,
  citiesWithClerks: readonly CityId[],
): AgreementRepresentation => ({
  agreement: view,
  revision: (loaded.revision ?? 0n).toString(),
  allowedCommands: allowedCommands(loaded.state, {
    actor: domainActorOf(caller),
    context: { citiesWithClerks },
  }),
});

export const viewOf = (loaded: LoadedAgreement): AgreementView | null =>
  toAgreementView(loaded.state);

export const representEvent = (stored: StoredAgreementEvent) => ({
  id: stored.id,
  type: stored.event.type,
  schemaVersion: stored.event.schemaVersion,
  revision: stored.revision.toString(),
  position: stored.position.toString(),
  data: stored.event.data,
  metadata: stored.metadata,
  storedAt: stored.storedAt.toISOString(),
  prevHash: stored.prevHash,
  hash: stored.hash,
});

export const StoredEventSchema = z
  .object({
    id: z.uuid(),
    type: z.string(),
    schemaVersion: z.number().int(),
    revision: DecimalString,
    position: DecimalString,
    data: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.unknown()),
    storedAt: z.iso.datetime(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .describe('A stored agreement event with its metadata and hash chain');

const perParty = <T extends z.ZodType>(value: T) =>
  z.object({ proposer: value.nullable(), partner: value.nullable() });
const nullableDate = z.string().nullable();

/** The agreement view of `@twinning/domain`, described for OpenAPI from the domain's own schemas. */
export const AgreementViewSchema = z
  .object({
    agreementId: z.uuid(),
    lifecycleState: z.enum(LIFECYCLE_STATES),
    ended: z.boolean(),
    machineVersion: z.number().int(),
    proposer: PartySchema,
    partner: PartySchema,
    terms: VersionedTermsSchema,
    termsHistory: z
      .array(
        z.object({
          terms: VersionedTermsSchema,
          proposedBy: PartyRoleSchema,
          proposedOn: z.string(),
        }),
      )
      .readonly(),
    acceptances: perParty(TermsAcceptedSchema.shape.data.omit({ party: true })),
    councilApprovals: perParty(CouncilApprovalRecordedSchema.shape.data.omit({ party: true })),
    signatures: perParty(SignatureRecordedSchema.shape.data.omit({ party: true })),
    dates: z.object({
      proposedOn: z.string(),
      agreedOn: nullableDate,
      signedOn: nullableDate,
      activatedOn: nullableDate,
      suspendedOn: nullableDate,
      reinstatedOn: nullableDate,
      renewedOn: nullableDate,
      endedOn: nullableDate,
    }),
    suspension: AgreementSuspendedSchema.shape.data.nullable(),
    renewals: z.array(AgreementRenewedSchema.shape.data).readonly(),
    ending: z
      .object({
        how: z.enum(['withdrawn', 'declined', 'expired', 'terminated']),
        on: z.string(),
        party: PartyRoleSchema.nullable(),
        reason: z.string().nullable(),
      })
      .nullable(),
  })
  .describe(
    'The agreement rebuilt from its events: lifecycle state, parties, terms and their versions, acceptances, approvals, signatures, dates',
  );

export const AgreementRepresentationSchema = z
  .object({
    agreement: AgreementViewSchema,
    revision: DecimalString.describe('Stream revision of the last event; also the ETag'),
    allowedCommands: z.array(z.string()).readonly().describe('Commands the caller may issue now'),
  })
  .describe('An agreement as it stands now');

/** `ETag: "3"` carries the stream revision; `If-Match` sends it back. */
export const etagOf = (revision: bigint | undefined): string => `"${(revision ?? 0n).toString()}"`;
