import { AGREEMENT_KINDS, AREAS_OF_EXCHANGE } from '../api/types';
import { areaLabel, kindLabel, t } from '../i18n/translate';
import { listOf, textOf } from '../validation/form-values';
import {
  CheckboxGroup,
  SelectField,
  TextField,
  fieldId,
  textFieldOf,
  type FormBinding,
  type TextFieldProps,
} from './fields';

/** The names of the fields of a set of terms, in the order the fieldset shows them. */
export const TERMS_FIELDS: readonly string[] = [
  'terms.title',
  'terms.purpose',
  'terms.areasOfExchange',
  'terms.kind',
  'terms.startDate',
  'terms.endDate',
];

/** The fields of a set of terms (`terms.title`, …), in proposals and counter-proposals alike. */
export const TermsFieldset = (binding: FormBinding) => {
  const { form, values, errorOf, onChange } = binding;
  const text = (
    name: string,
    label: Parameters<typeof t>[0],
    extra: Partial<Omit<TextFieldProps, 'id' | 'label' | 'value' | 'onChange'>> = {},
  ) => <TextField {...textFieldOf(binding, `terms.${name}`)} label={t(label)} {...extra} />;
  return (
    <>
      {text('title', 'form.terms.title', { required: true })}
      {text('purpose', 'form.terms.purpose', { required: true, multiline: true })}
      <CheckboxGroup
        id={fieldId(form, 'terms.areasOfExchange')}
        legend={t('form.terms.areasOfExchange')}
        required
        options={AREAS_OF_EXCHANGE.map((area) => ({ value: area, label: areaLabel(area) }))}
        values={listOf(values, 'terms.areasOfExchange')}
        error={errorOf('terms.areasOfExchange')}
        onChange={(areas) => onChange('terms.areasOfExchange', areas)}
      />
      <SelectField
        id={fieldId(form, 'terms.kind')}
        label={t('form.terms.kind')}
        required
        value={textOf(values, 'terms.kind')}
        options={AGREEMENT_KINDS.map((kind) => ({ value: kind, label: kindLabel(kind) }))}
        error={errorOf('terms.kind')}
        onChange={(kind) => onChange('terms.kind', kind)}
      />
      {text('startDate', 'form.terms.startDate', {
        required: true,
        type: 'date',
        width: 'medium',
        hint: t('form.terms.startDate.hint'),
      })}
      {text('endDate', 'form.terms.endDate', {
        type: 'date',
        width: 'medium',
        hint: t('form.terms.endDate.hint'),
      })}
    </>
  );
};
