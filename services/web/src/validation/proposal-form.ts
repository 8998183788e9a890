import type { MessageKey } from '../i18n/messages.en';
import { flagOf, nestFields, textOf, type FieldErrors, type FormValues } from './form-values';
import { isCityId, isCountryCode, isIsoDate } from './rules';
import { termsOf, termsValues, validateTerms } from './terms-fields';

const PARTIES = ['proposer', 'partner'] as const;

/** A new proposal's form, the proposer's city filled in with the clerk's own. */
export const initialProposalValues = (
  proposer: { readonly cityId: string; readonly name?: string; readonly country?: string } | null,
): FormValues => ({
  'proposer.cityId': proposer?.cityId ?? '',
  'proposer.name': proposer?.name ?? '',
  'proposer.country': proposer?.country ?? '',
  'proposer.councilApprovalRequired': false,
  'partner.cityId': '',
  'partner.name': '',
  'partner.country': '',
  'partner.councilApprovalRequired': false,
  ...termsValues(null),
  proposedOn: '',
});

/** `POST /agreements`'s rules: both parties complete and distinct, terms as the domain has them. */
export const validateProposal = (values: FormValues): FieldErrors => {
  const errors: Record<string, MessageKey> = {};
  for (const party of PARTIES) {
    const cityId = textOf(values, `${party}.cityId`);
    if (cityId === '') errors[`${party}.cityId`] = 'validation.required';
    else if (!isCityId(cityId)) errors[`${party}.cityId`] = 'validation.cityId';
    if (textOf(values, `${party}.name`) === '') errors[`${party}.name`] = 'validation.required';
    const country = textOf(values, `${party}.country`);
    if (country === '') errors[`${party}.country`] = 'validation.required';
    else if (!isCountryCode(country)) errors[`${party}.country`] = 'validation.country';
  }
  const proposer = textOf(values, 'proposer.cityId');
  if (proposer !== '' && proposer === textOf(values, 'partner.cityId')) {
    errors['partner.cityId'] = 'validation.sameCity';
  }
  Object.assign(errors, validateTerms(values));
  const proposedOn = textOf(values, 'proposedOn');
  if (proposedOn !== '' && !isIsoDate(proposedOn)) errors['proposedOn'] = 'validation.date';
  return errors;
};

export const proposalBodyOf = (values: FormValues): Record<string, unknown> => {
  const proposedOn = textOf(values, 'proposedOn');
  const flat: Record<string, unknown> = {};
  for (const party of PARTIES) {
    flat[`${party}.cityId`] = textOf(values, `${party}.cityId`);
    flat[`${party}.name`] = textOf(values, `${party}.name`);
    flat[`${party}.country`] = textOf(values, `${party}.country`);
    flat[`${party}.councilApprovalRequired`] = flagOf(values, `${party}.councilApprovalRequired`);
  }
  return {
    ...nestFields(flat),
    terms: termsOf(values),
    ...(proposedOn === '' ? {} : { proposedOn }),
  };
};
