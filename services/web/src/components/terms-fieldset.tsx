import { AGREEMENT_KINDS, AREAS_OF_EXCHANGE } from '../api/types';
import { areaLabel, kindLabel, t } from '../i18n/translate';
import {
  inputOf,
  listOf,
  textOf,
  type FieldValue,
  type FormValues,
} from '../validation/form-values';
import { CheckboxGroup, SelectField, TextField, fieldId, type TextFieldProps } from './fields';

/** The fields of a set of terms (`terms.title`, …), in proposals and counter-proposals alike. */
export const TermsFieldset = ({
  form,
  values,
  errorOf,
  onChange,
}: {
  readonly form: string;
  readonly values: FormValues;
  readonly errorOf: (field: string) => string | undefined;
  readonly onChange: (field: string, value: FieldValue) => void;
}) => {
  const text = (
    name: string,
    label: Parameters<typeof t>[0],
    extra: Partial<Omit<TextFieldProps, 'id' | 'label' | 'value' | 'onChange'>> = {},
  ) => (
    <TextField
      id={fieldId(form, `terms.${name}`)}
      label={t(label)}
      value={inputOf(values, `terms.${name}`)}
      error={errorOf(`terms.${name}`)}
      onChange={(value) => onChange(`terms.${name}`, value)}
      {...extra}
    />
  );
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
