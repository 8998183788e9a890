import {
  AGREEMENT_KINDS,
  AgreementKindSchema,
  CityIdSchema,
  LIFECYCLE_STATES,
} from '@twinning/domain';
import { AGREEMENT_SORT_FIELDS, MAX_NETWORK_DEPTH } from '@twinning/read-models';
import { z } from 'zod';

const LifecycleStateSchema = z.enum(LIFECYCLE_STATES);
const IsoDate = z.iso.date();
const Decimal = z.string().regex(/^\d{1,19}$/, 'a non-negative whole number');

/** `a,b,c` in a query string, each item checked by `item`. */
const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(item).min(1).max(20));

const pageLimit = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** Every query may wait for the read models to reach a position a command answered with. */
export const ReadYourWritesSchema = z.object({
  minPosition: Decimal.optional().meta({
    description:
      'A `position` from a command answer: wait (up to 2 s) until the read models include it, else answer with `stale: true`',
    example: '4194305',
  }),
});

const SORTS = AGREEMENT_SORT_FIELDS.flatMap((field) => [field, `-${field}`]) as [
  string,
  ...string[],
];

export const AgreementListQuerySchema = ReadYourWritesSchema.extend({
  state: commaList(LifecycleStateSchema)
    .optional()
    .meta({ description: 'Lifecycle states, comma-separated', example: 'active,suspended' }),
  kind: commaList(AgreementKindSchema)
    .optional()
    .meta({
      description: `Kinds, comma-separated (${AGREEMENT_KINDS.join(', ')})`,
      example: 'sister_city',
    }),
  city: CityIdSchema.optional().meta({
    description: 'Either party is this city',
    example: 'gb-coventry',
  }),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE')
    .transform((code) => code.toUpperCase())
    .optional()
    .meta({ description: 'Either party is in this country (ISO 3166-1 alpha-2)', example: 'DE' }),
  q: z.string().trim().min(1).max(200).optional().meta({
    description: 'Words in the title or city names; accents and case ignored, each word a prefix',
    example: 'coventry dres',
  }),
  proposedFrom: IsoDate.optional(),
  proposedTo: IsoDate.optional(),
  signedFrom: IsoDate.optional(),
  signedTo: IsoDate.optional(),
  activeFrom: IsoDate.optional().meta({
    description: 'Activated on or after',
    example: '1940-01-01',
  }),
  activeTo: IsoDate.optional().meta({
    description: 'Activated on or before',
    example: '1960-12-31',
  }),
  sort: z
    .enum(SORTS)
    .default('-last_change')
    .meta({ description: 'Sort field; a leading `-` sorts descending', example: 'title' }),
  cursor: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .meta({ description: '`nextCursor` of the previous page' }),
  limit: pageLimit(50, 200),
});
export type AgreementListQuery = z.infer<typeof AgreementListQuerySchema>;

export const CityParamsSchema = z.object({ cityId: CityIdSchema });

export const NetworkQuerySchema = ReadYourWritesSchema.extend({
  depth: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_NETWORK_DEPTH)
    .default(1)
    .meta({ description: `Hops from the city, 0 to ${MAX_NETWORK_DEPTH}`, example: 2 }),
  maxNodes: pageLimit(500, 5000),
});

export const ActivityQuerySchema = ReadYourWritesSchema.extend({
  cursor: z.string().min(1).max(2000).optional(),
  limit: pageLimit(50, 200),
});

export const DueQuerySchema = ReadYourWritesSchema.extend({
  withinDays: z.coerce
    .number()
    .int()
    .min(0)
    .max(3650)
    .default(30)
    .meta({ description: 'Expiring within this many days of `on`', example: 90 }),
  on: IsoDate.optional().meta({
    description: 'Reference date; default today',
    example: '2026-01-01',
  }),
  limit: pageLimit(100, 500),
});

export const StatisticsQuerySchema = ReadYourWritesSchema.extend({
  countryPairs: pageLimit(20, 500).meta({
    description: 'How many country pairs to list, most first',
  }),
});

/* Answers. */

const ReadStatusFields = {
  stale: z
    .boolean()
    .describe('True when `minPosition` was given and the read models had not reached it in time'),
  readPosition: Decimal.nullable().describe(
    'Position the read models had reached, when `minPosition` was given',
  ),
};

const PartySchema = z.object({ cityId: z.string(), name: z.string(), country: z.string() });

export const AgreementItemSchema = z.object({
  agreementId: z.string(),
  title: z.string(),
  kind: AgreementKindSchema,
  state: LifecycleStateSchema,
  proposer: PartySchema,
  partner: PartySchema,
  dates: z.object({
    proposedOn: z.string(),
    agreedOn: z.string().nullable(),
    signedOn: z.string().nullable(),
    activatedOn: z.string().nullable(),
    suspendedOn: z.string().nullable(),
    endedOn: z.string().nullable(),
    startDate: z.string(),
    endDate: z.string().nullable(),
  }),
  termsVersion: z.number().int(),
  lastChangedOn: z.string(),
  lastEventType: z.string(),
  lastPosition: Decimal,
  lastRevision: Decimal,
});

export const AgreementListResponseSchema = z.object({
  items: z.array(AgreementItemSchema),
  nextCursor: z.string().nullable(),
  ...ReadStatusFields,
});

export const CityResponseSchema = z.object({
  city: PartySchema,
  partnerships: z.array(
    z.object({
      agreementId: z.string(),
      title: z.string(),
      kind: AgreementKindSchema,
      state: LifecycleStateSchema,
      role: z.enum(['proposer', 'partner']),
      partner: PartySchema,
      activatedOn: z.string().nullable(),
    }),
  ),
  ...ReadStatusFields,
});

export const NetworkResponseSchema = z.object({
  cityId: z.string(),
  depth: z.number().int(),
  nodes: z.array(PartySchema.extend({ depth: z.number().int() })),
  edges: z.array(
    z.object({
      agreementId: z.string(),
      from: z.string(),
      to: z.string(),
      state: LifecycleStateSchema,
    }),
  ),
  truncated: z.boolean(),
  ...ReadStatusFields,
});

export const ActivityResponseSchema = z.object({
  items: z.array(
    z.object({
      position: Decimal,
      agreementId: z.string(),
      revision: Decimal,
      eventType: z.string(),
      title: z.string(),
      party: z.enum(['proposer', 'partner']),
      partner: z.object({ cityId: z.string(), name: z.string() }),
      stateAfter: LifecycleStateSchema,
      actor: z.object({
        subject: z.string(),
        displayName: z.string().optional(),
        role: z.string(),
        municipality: z.string().optional(),
      }),
      businessDate: z.string(),
      recordedAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
  ...ReadStatusFields,
});

export const DueResponseSchema = z.object({
  on: z.string(),
  withinDays: z.number().int(),
  pendingSignatures: z.array(
    z.object({
      agreement: AgreementItemSchema,
      outstanding: z.array(
        z.object({
          party: z.enum(['proposer', 'partner']),
          cityId: z.string(),
          name: z.string(),
          act: z.enum(['council_approval', 'signature']),
        }),
      ),
    }),
  ),
  expiring: z.array(
    z.object({ agreement: AgreementItemSchema, endDate: z.string(), daysLeft: z.number().int() }),
  ),
  ...ReadStatusFields,
});

export const StatisticsResponseSchema = z.object({
  total: z.number().int(),
  byState: z.record(z.string(), z.number().int()),
  byKind: z.record(z.string(), z.number().int()),
  byCountryPair: z.array(
    z.object({ countries: z.tuple([z.string(), z.string()]), count: z.number().int() }),
  ),
  activatedPerYear: z.array(z.object({ year: z.number().int(), count: z.number().int() })),
  ...ReadStatusFields,
});
