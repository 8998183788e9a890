import { z } from 'zod';
import { CityIdSchema, type CityId } from './ids.js';

export const ROLES = ['clerk', 'auditor', 'admin', 'system'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const ActorSchema = z.object({
  subject: z.string().min(1),
  displayName: z.string().min(1).optional(),
  role: RoleSchema,
  municipality: CityIdSchema.optional(),
});
export type Actor = z.infer<typeof ActorSchema>;

export const PARTY_ROLES = ['proposer', 'partner'] as const;
export const PartyRoleSchema = z.enum(PARTY_ROLES);
export type PartyRole = z.infer<typeof PartyRoleSchema>;

export const otherParty = (party: PartyRole): PartyRole =>
  party === 'proposer' ? 'partner' : 'proposer';

/** Where a clerk records the other city's act, the document that proves the act took place. */
export const EvidenceSchema = z.strictObject({ reference: z.string().min(1) });
export type Evidence = z.infer<typeof EvidenceSchema>;

/**
 * Facts outside the agreement that a decision depends on. The application supplies them, so the
 * domain stays pure and the same inputs always give the same answer.
 */
export interface DecisionContext {
  /** Cities that have at least one clerk account in the system. */
  readonly citiesWithClerks: readonly CityId[];
}
