import { AGREEMENT_KINDS, AREAS_OF_EXCHANGE, type Terms } from '../api/types';
import type { MessageKey } from '../i18n/messages.en';
import { listOf, textOf, type FieldErrors, type FormValues } from './form-values';
import { isIsoDate } from './rules';

/**
 * The terms of an agreement, as the proposal and counter-proposal forms hold them under a prefix
 * (`terms.title`, …), checked by the domain's rules: every field but the end date is required,
 * at least one area of exchange, a cooperation is time-limited, the end follows the start.
 */
export const validateTerms = (values: FormValues, prefix = 'terms.'): FieldErrors => {
  const errors: Record<string, MessageKey> = {};
  const field = (name: string) => `${prefix}${name}`;
  for (const name of ['title', 'purpose']) {
    if (textOf(values, field(name)) === '') errors[field(name)] = 'validation.required';
  }
  const areas = listOf(values, field('areasOfExchange'));
  if (
    areas.length === 0 ||
    !areas.every((area) => (AREAS_OF_EXCHANGE as readonly string[]).includes(area))
  ) {
    errors[field('areasOfExchange')] = 'validation.areas';
  }
  const kind = textOf(values, field('kind'));
  if (!(AGREEMENT_KINDS as readonly string[]).includes(kind)) {
    errors[field('kind')] = 'validation.choose';
  }
  const startDate = textOf(values, field('startDate'));
  const endDate = textOf(values, field('endDate'));
  if (startDate === '') errors[field('startDate')] = 'validation.required';
  else if (!isIsoDate(startDate)) errors[field('startDate')] = 'validation.date';
  if (endDate !== '' && !isIsoDate(endDate)) errors[field('endDate')] = 'validation.date';
  else if (kind === 'cooperation' && endDate === '') {
    errors[field('endDate')] = 'validation.endDateRequired';
  } else if (endDate !== '' && isIsoDate(startDate) && endDate <= startDate) {
    errors[field('endDate')] = 'validation.endAfterStart';
  }
  return errors;
};

/** The terms as the API takes them; an empty end date is left out (open-ended). */
export const termsOf = (values: FormValues, prefix = 'terms.'): Terms => {
  const endDate = textOf(values, `${prefix}endDate`);
  return {
    title: textOf(values, `${prefix}title`),
    purpose: textOf(values, `${prefix}purpose`),
    areasOfExchange: [...listOf(values, `${prefix}areasOfExchange`)],
    kind: textOf(values, `${prefix}kind`) as Terms['kind'],
    startDate: textOf(values, `${prefix}startDate`),
    ...(endDate === '' ? {} : { endDate }),
  };
};

/** Form values holding the given terms, to start a counter-proposal from the current ones. */
export const termsValues = (terms: Terms | null, prefix = 'terms.'): FormValues => ({
  [`${prefix}title`]: terms?.title ?? '',
  [`${prefix}purpose`]: terms?.purpose ?? '',
  [`${prefix}areasOfExchange`]: terms?.areasOfExchange ?? [],
  [`${prefix}kind`]: terms?.kind ?? 'sister_city',
  [`${prefix}startDate`]: terms?.startDate ?? '',
  [`${prefix}endDate`]: terms?.endDate ?? '',
});
