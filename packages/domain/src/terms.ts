import { z } from 'zod';
import { CityIdSchema, IsoDateSchema } from './ids.js';
import { AGREEMENT_KINDS, AREAS_OF_EXCHANGE } from './vocabulary.js';

export { AGREEMENT_KINDS, AREAS_OF_EXCHANGE } from './vocabulary.js';

export const AreaOfExchangeSchema = z.enum(AREAS_OF_EXCHANGE);
export type AreaOfExchange = z.infer<typeof AreaOfExchangeSchema>;

export const AgreementKindSchema = z.enum(AGREEMENT_KINDS);
export type AgreementKind = z.infer<typeof AgreementKindSchema>;

export const PartySchema = z.strictObject({
  cityId: CityIdSchema,
  name: z.string().min(1),
  /** ISO 3166-1 alpha-2, upper case (`GB`, `RU`, `DE`). */
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as `GB`'),
  councilApprovalRequired: z.boolean(),
});
export type Party = z.infer<typeof PartySchema>;

const termsFields = {
  title: z.string().min(1),
  purpose: z.string().min(1),
  areasOfExchange: z.array(AreaOfExchangeSchema).min(1),
  kind: AgreementKindSchema,
  /** The effective date: the agreement may not be activated before it. */
  startDate: IsoDateSchema,
  endDate: IsoDateSchema.optional(),
};

type TermsShape = {
  readonly kind: AgreementKind;
  readonly startDate: string;
  readonly endDate?: string | undefined;
};

const termsHaveAConsistentDuration = (terms: TermsShape, ctx: z.RefinementCtx): void => {
  if (terms.kind === 'cooperation' && terms.endDate === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['endDate'],
      message: 'a cooperation agreement is time-limited: it needs an end date',
    });
  }
  if (terms.endDate !== undefined && terms.endDate <= terms.startDate) {
    ctx.addIssue({
      code: 'custom',
      path: ['endDate'],
      message: 'the end date must follow the start date',
    });
  }
};

export const TermsSchema = z.strictObject(termsFields).superRefine(termsHaveAConsistentDuration);
export type Terms = z.infer<typeof TermsSchema>;

/** Terms as negotiated: every counter-proposal gets the next version, starting at 1. */
export const VersionedTermsSchema = z
  .strictObject({ version: z.number().int().positive(), ...termsFields })
  .superRefine(termsHaveAConsistentDuration);
export type VersionedTerms = z.infer<typeof VersionedTermsSchema>;

export const isFixedTerm = (terms: TermsShape): boolean => terms.endDate !== undefined;
