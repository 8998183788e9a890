import { z } from 'zod';
import { err, ok, type Result } from './result.js';

/** A city's stable id: lowercase ISO country code, a dash, a lowercase slug (`gb-coventry`). */
export const CityIdSchema = z
  .string()
  .regex(/^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a city id looks like `gb-coventry`')
  .brand<'CityId'>();
export type CityId = z.infer<typeof CityIdSchema>;

export const AgreementIdSchema = z.uuid().brand<'AgreementId'>();
export type AgreementId = z.infer<typeof AgreementIdSchema>;

/** A calendar date `YYYY-MM-DD`; ISO strings of this shape order correctly as plain strings. */
export const IsoDateSchema = z.iso.date().brand<'IsoDate'>();
export type IsoDate = z.infer<typeof IsoDateSchema>;

const STREAM_PREFIX = 'agreement-';

export const toAgreementStreamId = (id: AgreementId): string => `${STREAM_PREFIX}${id}`;

export const fromAgreementStreamId = (
  streamId: string,
): Result<
  AgreementId,
  { readonly reason: 'NOT_AN_AGREEMENT_STREAM'; readonly message: string }
> => {
  const parsed = streamId.startsWith(STREAM_PREFIX)
    ? AgreementIdSchema.safeParse(streamId.slice(STREAM_PREFIX.length))
    : undefined;
  return parsed?.success === true
    ? ok(parsed.data)
    : err({
        reason: 'NOT_AN_AGREEMENT_STREAM',
        message: `"${streamId}" is not an agreement stream id (agreement-<uuid>)`,
      });
};

/** The later of two ISO dates. */
export const laterOf = (a: IsoDate, b: IsoDate): IsoDate => (a >= b ? a : b);
