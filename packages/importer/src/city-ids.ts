import { CityIdSchema, type CityId } from '@twinning/domain';
import slugify from 'slugify';

/**
 * A city's stable id from its country code and name: `gb-coventry`, `fr-saint-etienne`,
 * `us-coventry-rhode-island`. Accents are folded and punctuation dropped, so the same city
 * spelled with or without accents gets one id. `undefined` when the name has no Latin letters
 * or digits to make an id from.
 */
export const cityIdOf = (countryCode: string, name: string): CityId | undefined => {
  const slug = slugify(name, { lower: true, strict: true, trim: true });
  const parsed = CityIdSchema.safeParse(`${countryCode.toLowerCase()}-${slug}`);
  return parsed.success ? parsed.data : undefined;
};
