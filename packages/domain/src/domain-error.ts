import type { z } from 'zod';
import type { CommandType } from './commands.js';

/** Why a command was rejected: stable, machine-readable codes (the API answers 409 with them). */
export const REJECTION_REASONS = [
  // The command itself
  'INVALID_COMMAND',
  'WRONG_AGREEMENT',
  // Where the agreement is in its lifecycle
  'AGREEMENT_NOT_FOUND',
  'AGREEMENT_ALREADY_EXISTS',
  'AGREEMENT_ENDED',
  'TERMS_ALREADY_AGREED',
  'TERMS_NOT_AGREED',
  'ALREADY_SIGNED',
  'NOT_SIGNED',
  'ALREADY_ACTIVE',
  'NOT_ACTIVE',
  'NOT_SUSPENDED',
  'NOT_IN_FORCE',
  // Who may act
  'ROLE_MAY_NOT_ACT',
  'NOT_A_PARTY',
  'MAY_ACT_ONLY_FOR_OWN_PARTY',
  'ACTING_FOR_REPRESENTED_PARTY',
  'EVIDENCE_REQUIRED',
  'ONLY_PROPOSER_MAY_WITHDRAW',
  'ONLY_PARTNER_MAY_DECLINE',
  // Business rules
  'SAME_CITY_ON_BOTH_SIDES',
  'TERMS_VERSION_NOT_NEXT',
  'TERMS_VERSION_NOT_CURRENT',
  'TERMS_ALREADY_ACCEPTED',
  'TERMS_NOT_ACCEPTED_BY_BOTH',
  'COUNCIL_APPROVAL_ALREADY_RECORDED',
  'ALREADY_SIGNED_BY_PARTY',
  'COUNCIL_APPROVAL_REQUIRED',
  'SIGNATURES_MISSING',
  'BEFORE_EFFECTIVE_DATE',
  'END_DATE_PASSED',
  'DATE_PRECEDES_PREVIOUS_ACT',
  'NOT_FIXED_TERM',
  'END_DATE_NOT_LATER',
  'END_DATE_NOT_REACHED',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface DomainError {
  readonly reason: RejectionReason;
  readonly message: string;
  /** What the same actor could ask for instead, right now. */
  readonly allowedCommands: readonly CommandType[];
  /** For `INVALID_COMMAND`: what did not fit the command's schema. */
  readonly issues?: readonly z.core.$ZodIssue[];
}
