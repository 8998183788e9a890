import type { ChangeEvent, ReactNode } from 'react';
import { t } from '../i18n/translate';
import { inputOf, type FieldValue, type FormValues } from '../validation/form-values';

/** An element id for a form field: `signatory.name` in form `sign` is `sign-signatory-name`. */
export const fieldId = (form: string, name: string): string =>
  `${form}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** A form's fields by name: their values, what is wrong with each, and how one changes. */
export interface FormBinding {
  readonly form: string;
  readonly values: FormValues;
  readonly errorOf: (name: string) => string | undefined;
  readonly onChange: (name: string, value: FieldValue) => void;
}

/** What ties a text field to its named value in a form: its id, value, error and changes. */
export const textFieldOf = ({ form, values, errorOf, onChange }: FormBinding, name: string) => ({
  id: fieldId(form, name),
  value: inputOf(values, name),
  error: errorOf(name),
  onChange: (value: string) => onChange(name, value),
});

const describedBy = (id: string, hint: string | undefined, error: string | undefined) => {
  const ids = [
    hint === undefined ? null : `${id}-hint`,
    error === undefined ? null : `${id}-error`,
  ].filter((part): part is string => part !== null);
  return ids.length === 0 ? undefined : ids.join(' ');
};

/** A field's hint and its error, each under the id its control is described by. */
const FieldMessages = ({
  id,
  hint,
  error,
}: {
  readonly id: string;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
}) => (
  <>
    {hint === undefined ? null : (
      <p id={`${id}-hint`} className="field__hint">
        {hint}
      </p>
    )}
    {error === undefined ? null : (
      <p id={`${id}-error`} className="field__error">
        {error}
      </p>
    )}
  </>
);

const OptionalMark = () => <span className="field__optional"> {t('app.optional')}</span>;

/** What a labelled field and its control share. */
interface FieldProps {
  readonly id: string;
  readonly label: string;
  readonly required?: boolean | undefined;
  /** Whether an optional field says so; off where every field is optional (filters). */
  readonly markOptional?: boolean | undefined;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
}

/** The attributes of a field's control: its name, and its state and messages for assistive tech. */
const controlOf = ({ id, required = false, hint, error }: FieldProps) => ({
  id,
  name: id,
  required,
  'aria-invalid': error === undefined ? undefined : true,
  'aria-describedby': describedBy(id, hint, error),
});

const FieldFrame = ({
  id,
  label,
  required = false,
  markOptional = true,
  hint,
  error,
  children,
}: FieldProps & { readonly children: ReactNode }) => (
  <div className={error === undefined ? 'field' : 'field field--error'}>
    <label htmlFor={id}>
      {label}
      {required || !markOptional ? null : <OptionalMark />}
    </label>
    <FieldMessages id={id} hint={hint} error={error} />
    {children}
  </div>
);

export interface TextFieldProps extends FieldProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly type?: 'text' | 'date' | 'number' | 'url' | 'datetime-local' | 'search' | undefined;
  readonly multiline?: boolean | undefined;
  readonly autoComplete?: string | undefined;
  readonly readOnly?: boolean | undefined;
  readonly width?: 'short' | 'medium' | 'full' | undefined;
}

export const TextField = ({
  value,
  onChange,
  type = 'text',
  multiline = false,
  autoComplete,
  readOnly = false,
  width = 'full',
  ...field
}: TextFieldProps) => {
  const common = {
    ...controlOf(field),
    value,
    readOnly,
    className: `input input--${width}`,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      onChange(event.target.value),
  };
  return (
    <FieldFrame {...field}>
      {multiline ? (
        <textarea {...common} rows={3} />
      ) : (
        <input
          {...common}
          type={type}
          autoComplete={autoComplete ?? 'off'}
          {...(type === 'number' ? { min: 1, step: 1, inputMode: 'numeric' as const } : {})}
        />
      )}
    </FieldFrame>
  );
};

export interface Option {
  readonly value: string;
  readonly label: string;
}

export interface SelectFieldProps extends FieldProps {
  readonly value: string;
  readonly options: readonly Option[];
  readonly onChange: (value: string) => void;
}

export const SelectField = ({ value, options, onChange, ...field }: SelectFieldProps) => (
  <FieldFrame {...field}>
    <select
      {...controlOf(field)}
      value={value}
      className="input input--medium"
      onChange={(event) => onChange(event.target.value)}
    >
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  </FieldFrame>
);

export interface CheckboxFieldProps {
  readonly id: string;
  readonly label: string;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
  readonly hint?: string | undefined;
}

export const CheckboxField = ({ id, label, checked, onChange, hint }: CheckboxFieldProps) => (
  <div className="field field--checkbox">
    <input
      id={id}
      name={id}
      type="checkbox"
      checked={checked}
      aria-describedby={describedBy(id, hint, undefined)}
      onChange={(event) => onChange(event.target.checked)}
    />
    <label htmlFor={id}>{label}</label>
    <FieldMessages id={id} hint={hint} />
  </div>
);

export interface ChoiceGroupProps {
  readonly id: string;
  readonly legend: string;
  readonly options: readonly Option[];
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
  readonly required?: boolean | undefined;
}

/** Checkboxes or radio buttons under one legend, its hint and error, each choice labelled. */
const ChoiceGroup = ({
  id,
  legend,
  options,
  hint,
  error,
  required = false,
  type,
  itemsClassName,
  checkedOf,
  onToggle,
  markInvalid,
}: ChoiceGroupProps & {
  readonly type: 'checkbox' | 'radio';
  readonly itemsClassName: string;
  readonly checkedOf: (value: string) => boolean;
  readonly onToggle: (value: string, checked: boolean) => void;
  /** Whether each choice says the group is in error. */
  readonly markInvalid: boolean;
}) => (
  <fieldset
    className={error === undefined ? 'field choices' : 'field choices field--error'}
    id={id}
    aria-describedby={describedBy(id, hint, error)}
  >
    <legend>
      {legend}
      {required ? null : <OptionalMark />}
    </legend>
    <FieldMessages id={id} hint={hint} error={error} />
    <div className={itemsClassName}>
      {options.map((option) => {
        const optionId = `${id}-${option.value}`;
        return (
          <div className="choice" key={option.value}>
            <input
              id={optionId}
              type={type}
              name={id}
              value={option.value}
              checked={checkedOf(option.value)}
              aria-invalid={markInvalid ? true : undefined}
              onChange={(event) => onToggle(option.value, event.target.checked)}
            />
            <label htmlFor={optionId}>{option.label}</label>
          </div>
        );
      })}
    </div>
  </fieldset>
);

/** Several checkboxes under one legend, the values of those ticked. */
export const CheckboxGroup = ({
  values,
  onChange,
  ...group
}: ChoiceGroupProps & {
  readonly values: readonly string[];
  readonly onChange: (values: readonly string[]) => void;
}) => (
  <ChoiceGroup
    {...group}
    type="checkbox"
    itemsClassName="choices__items choices__items--columns"
    checkedOf={(value) => values.includes(value)}
    onToggle={(toggled, checked) =>
      onChange(checked ? [...values, toggled] : values.filter((value) => value !== toggled))
    }
    markInvalid={group.error !== undefined}
  />
);

/** Radio buttons under one legend: one value. */
export const RadioGroup = ({
  value,
  onChange,
  ...group
}: ChoiceGroupProps & {
  readonly value: string;
  readonly onChange: (value: string) => void;
}) => (
  <ChoiceGroup
    {...group}
    type="radio"
    itemsClassName="choices__items"
    checkedOf={(option) => option === value}
    onToggle={(option) => onChange(option)}
    markInvalid={false}
  />
);

/** The row of a form's buttons: its submit button first, then any others. */
export const FormActions = ({
  submit,
  submitId,
  disabled,
  children,
}: {
  readonly submit: string;
  readonly submitId?: string | undefined;
  readonly disabled?: boolean | undefined;
  readonly children?: ReactNode;
}) => (
  <div className="form-actions">
    <button id={submitId} type="submit" className="button" disabled={disabled}>
      {submit}
    </button>
    {children}
  </div>
);
