import type { PartyRole, Terms } from '../api/types';
import type { MessageKey } from '../i18n/messages.en';
import { nestFields, textOf, type FieldErrors, type FormValues } from './form-values';
import { isIsoDate, isPositiveWholeNumber } from './rules';
import { termsOf, termsValues, validateTerms } from './terms-fields';

/** The lifecycle commands a clerk issues on an existing agreement, each with its own form. */
export const FORM_COMMANDS = [
  'CounterProposeTerms',
  'AcceptTerms',
  'RecordCouncilApproval',
  'RecordSignature',
  'ActivateAgreement',
  'SuspendAgreement',
  'ReinstateAgreement',
  'RenewAgreement',
  'TerminateAgreement',
  'WithdrawProposal',
  'DeclineProposal',
] as const;
export type FormCommand = (typeof FORM_COMMANDS)[number];

export const isFormCommand = (command: string): command is FormCommand =>
  (FORM_COMMANDS as readonly string[]).includes(command);

export type FieldKind =
  /** A one-line text. */
  | 'text'
  /** Several lines of text. */
  | 'textarea'
  /** A calendar date; empty means today where the field is optional. */
  | 'date'
  /** A terms version. */
  | 'version'
  /** For which party the act is done: the clerk's own city or, with evidence, the other. */
  | 'party'
  /** The evidence reference, asked for only when acting for the other party. */
  | 'evidence'
  /** The whole set of terms fields (`terms.title`, …). */
  | 'terms';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly label: MessageKey;
  readonly required: boolean;
  readonly hint?: MessageKey;
}

export interface CommandFormSpec {
  readonly command: FormCommand;
  /** The endpoint below `/agreements/{id}/`. */
  readonly path: string;
  readonly fields: readonly FieldSpec[];
}

const date = (name: string, label: MessageKey, hint: MessageKey = 'form.date.hint'): FieldSpec => ({
  name,
  kind: 'date',
  label,
  required: false,
  hint,
});
const text = (name: string, label: MessageKey, required = true): FieldSpec => ({
  name,
  kind: 'text',
  label,
  required,
});
const reason = (required: boolean): FieldSpec => ({
  name: 'reason',
  kind: 'textarea',
  label: 'form.reason',
  required,
});
const termsVersion: FieldSpec = {
  name: 'termsVersion',
  kind: 'version',
  label: 'form.termsVersion',
  required: true,
};
/** Acts a clerk may record for a partner city that has no clerks, citing evidence. */
const onBehalf: readonly FieldSpec[] = [
  { name: 'party', kind: 'party', label: 'form.party', required: true, hint: 'form.party.hint' },
  { name: 'evidence.reference', kind: 'evidence', label: 'form.evidence', required: false },
];

export const COMMAND_FORMS: { readonly [C in FormCommand]: CommandFormSpec } = {
  CounterProposeTerms: {
    command: 'CounterProposeTerms',
    path: 'counter-proposals',
    fields: [
      { name: 'terms', kind: 'terms', label: 'agreement.terms.title', required: true },
      date('proposedOn', 'form.proposedOn'),
    ],
  },
  AcceptTerms: {
    command: 'AcceptTerms',
    path: 'acceptances',
    fields: [...onBehalf, termsVersion, date('acceptedOn', 'form.acceptedOn')],
  },
  RecordCouncilApproval: {
    command: 'RecordCouncilApproval',
    path: 'council-approvals',
    fields: [
      ...onBehalf,
      termsVersion,
      text('resolutionReference', 'form.resolutionReference'),
      date('approvedOn', 'form.approvedOn'),
    ],
  },
  RecordSignature: {
    command: 'RecordSignature',
    path: 'signatures',
    fields: [
      ...onBehalf,
      termsVersion,
      text('signatory.name', 'form.signatoryName'),
      text('signatory.title', 'form.signatoryTitle'),
      text('place', 'form.place'),
      date('signedOn', 'form.signedOn'),
    ],
  },
  ActivateAgreement: {
    command: 'ActivateAgreement',
    path: 'activation',
    fields: [date('effectiveOn', 'form.effectiveOn', 'form.effectiveOn.hint')],
  },
  SuspendAgreement: {
    command: 'SuspendAgreement',
    path: 'suspension',
    fields: [
      reason(true),
      text('councilResolutionReference', 'form.councilResolutionReference', false),
      date('suspendedOn', 'form.suspendedOn'),
    ],
  },
  ReinstateAgreement: {
    command: 'ReinstateAgreement',
    path: 'reinstatement',
    fields: [
      text('councilResolutionReference', 'form.councilResolutionReference', false),
      date('reinstatedOn', 'form.reinstatedOn'),
    ],
  },
  RenewAgreement: {
    command: 'RenewAgreement',
    path: 'renewals',
    fields: [
      { name: 'newEndDate', kind: 'date', label: 'form.newEndDate', required: true },
      date('renewedOn', 'form.renewedOn'),
    ],
  },
  TerminateAgreement: {
    command: 'TerminateAgreement',
    path: 'termination',
    fields: [reason(true), date('terminatedOn', 'form.terminatedOn')],
  },
  WithdrawProposal: {
    command: 'WithdrawProposal',
    path: 'withdrawal',
    fields: [reason(false), date('withdrawnOn', 'form.withdrawnOn')],
  },
  DeclineProposal: {
    command: 'DeclineProposal',
    path: 'decline',
    fields: [reason(true), date('declinedOn', 'form.declinedOn')],
  },
};

/** What a form starts from: the agreement as the clerk sees it. */
export interface CommandFormContext {
  readonly termsVersion: number;
  readonly terms: Terms | null;
}

export const initialCommandValues = (
  command: FormCommand,
  context: CommandFormContext,
): FormValues => {
  const values: Record<string, string | boolean | readonly string[]> = {};
  for (const field of COMMAND_FORMS[command].fields) {
    if (field.kind === 'terms') Object.assign(values, termsValues(context.terms));
    else if (field.kind === 'party') values[field.name] = 'own';
    else if (field.kind === 'version') values[field.name] = String(context.termsVersion);
    else values[field.name] = '';
  }
  // Activation is due on the start date of the terms; the clerk changes it if it came later.
  if (command === 'ActivateAgreement' && context.terms !== null) {
    values['effectiveOn'] = context.terms.startDate;
  }
  return values;
};

const actsForOtherParty = (values: FormValues): boolean => textOf(values, 'party') === 'other';

/** The form's fields that are shown with these values: evidence only for the other party. */
export const visibleFields = (command: FormCommand, values: FormValues): readonly FieldSpec[] =>
  COMMAND_FORMS[command].fields.filter(
    (field) => field.kind !== 'evidence' || actsForOtherParty(values),
  );

/** The same rules the API applies to the command's body, so most mistakes never leave the page. */
export const validateCommandForm = (command: FormCommand, values: FormValues): FieldErrors => {
  const errors: Record<string, MessageKey> = {};
  for (const field of visibleFields(command, values)) {
    const value = textOf(values, field.name);
    switch (field.kind) {
      case 'terms':
        Object.assign(errors, validateTerms(values));
        break;
      case 'party':
        if (value !== 'own' && value !== 'other') errors[field.name] = 'validation.choose';
        break;
      case 'evidence':
        if (value === '') errors[field.name] = 'validation.evidence';
        break;
      case 'version':
        if (!isPositiveWholeNumber(value)) errors[field.name] = 'validation.positiveWhole';
        break;
      case 'date':
        if (value === '' && field.required) errors[field.name] = 'validation.required';
        else if (value !== '' && !isIsoDate(value)) errors[field.name] = 'validation.date';
        break;
      case 'text':
      case 'textarea':
        if (value === '' && field.required) errors[field.name] = 'validation.required';
        break;
      default: {
        const _exhaustive: never = field.kind;
        return _exhaustive;
      }
    }
  }
  return errors;
};

const otherPartyOf = (party: PartyRole): PartyRole =>
  party === 'proposer' ? 'partner' : 'proposer';

/**
 * The request body for valid values. Empty optional fields are left out, so the API applies its
 * defaults (today's date); the party is named only when the clerk acts for the other city.
 */
export const commandBodyOf = (
  command: FormCommand,
  values: FormValues,
  ownParty: PartyRole,
): Record<string, unknown> => {
  const flat: Record<string, unknown> = {};
  for (const field of visibleFields(command, values)) {
    const value = textOf(values, field.name);
    switch (field.kind) {
      case 'terms':
        flat['terms'] = termsOf(values);
        break;
      case 'party':
        if (actsForOtherParty(values)) flat['party'] = otherPartyOf(ownParty);
        break;
      case 'version':
        flat[field.name] = Number(value);
        break;
      case 'evidence':
      case 'date':
      case 'text':
      case 'textarea':
        if (value !== '') flat[field.name] = value;
        break;
      default: {
        const _exhaustive: never = field.kind;
        return _exhaustive;
      }
    }
  }
  return nestFields(flat);
};
