import type { ChangeEvent, ReactNode } from 'react';
import { t } from '../i18n/translate';

/** An element id for a form field: `signatory.name` in form `sign` is `sign-signatory-name`. */
export const fieldId = (form: string, name: string): string =>
  `${form}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

const describedBy = (id: string, hint: boolean, error: boolean): string | undefined => {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(
    (part): part is string => part !== null,
  );
  return ids.length === 0 ? undefined : ids.join(' ');
};

interface FieldFrameProps {
  readonly id: string;
  readonly label: string;
  readonly required: boolean;
  /** Whether an optional field says so; off where every field is optional (filters). */
  readonly markOptional?: boolean | undefined;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
  readonly children: ReactNode;
}

const FieldFrame = ({
  id,
  label,
  required,
  markOptional = true,
  hint,
  error,
  children,
}: FieldFrameProps) => (
  <div className={error === undefined ? 'field' : 'field field--error'}>
    <label htmlFor={id}>
      {label}
      {required || !markOptional ? null : (
        <span className="field__optional"> {t('app.optional')}</span>
      )}
    </label>
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
    {children}
  </div>
);

export interface TextFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly required?: boolean | undefined;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
  readonly type?: 'text' | 'date' | 'number' | 'url' | 'datetime-local' | 'search' | undefined;
  readonly multiline?: boolean | undefined;
  readonly autoComplete?: string | undefined;
  readonly readOnly?: boolean | undefined;
  readonly width?: 'short' | 'medium' | 'full' | undefined;
  readonly markOptional?: boolean | undefined;
}

export const TextField = ({
  id,
  label,
  value,
  onChange,
  required = false,
  hint,
  error,
  type = 'text',
  multiline = false,
  autoComplete,
  readOnly = false,
  width = 'full',
  markOptional = true,
}: TextFieldProps) => {
  const common = {
    id,
    name: id,
    value,
    required,
    readOnly,
    'aria-invalid': error === undefined ? undefined : true,
    'aria-describedby': describedBy(id, hint !== undefined, error !== undefined),
    className: `input input--${width}`,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      onChange(event.target.value),
  };
  return (
    <FieldFrame
      id={id}
      label={label}
      required={required}
      markOptional={markOptional}
      hint={hint}
      error={error}
    >
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

export interface SelectFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly options: readonly Option[];
  readonly onChange: (value: string) => void;
  readonly required?: boolean | undefined;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
  readonly markOptional?: boolean | undefined;
}

export const SelectField = ({
  id,
  label,
  value,
  options,
  onChange,
  required = false,
  hint,
  error,
  markOptional = true,
}: SelectFieldProps) => (
  <FieldFrame
    id={id}
    label={label}
    required={required}
    markOptional={markOptional}
    hint={hint}
    error={error}
  >
    <select
      id={id}
      name={id}
      value={value}
      required={required}
      className="input input--medium"
      aria-invalid={error === undefined ? undefined : true}
      aria-describedby={describedBy(id, hint !== undefined, error !== undefined)}
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
      aria-describedby={hint === undefined ? undefined : `${id}-hint`}
      onChange={(event) => onChange(event.target.checked)}
    />
    <label htmlFor={id}>{label}</label>
    {hint === undefined ? null : (
      <p id={`${id}-hint`} className="field__hint">
        {hint}
      </p>
    )}
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

const GroupFrame = ({
  id,
  legend,
  hint,
  error,
  required = false,
  children,
}: Omit<ChoiceGroupProps, 'options'> & { readonly children: ReactNode }) => (
  <fieldset
    className={error === undefined ? 'field choices' : 'field choices field--error'}
    id={id}
    aria-describedby={describedBy(id, hint !== undefined, error !== undefined)}
  >
    <legend>
      {legend}
      {required ? null : <span className="field__optional"> {t('app.optional')}</span>}
    </legend>
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
    {children}
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
  <GroupFrame {...group}>
    <div className="choices__items choices__items--columns">
      {group.options.map((option) => {
        const optionId = `${group.id}-${option.value}`;
        return (
          <div className="choice" key={option.value}>
            <input
              id={optionId}
              type="checkbox"
              name={group.id}
              value={option.value}
              checked={values.includes(option.value)}
              aria-invalid={group.error === undefined ? undefined : true}
              onChange={(event) =>
                onChange(
                  event.target.checked
                    ? [...values, option.value]
                    : values.filter((value) => value !== option.value),
                )
              }
            />
            <label htmlFor={optionId}>{option.label}</label>
          </div>
        );
      })}
    </div>
  </GroupFrame>
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
  <GroupFrame {...group}>
    <div className="choices__items">
      {group.options.map((option) => {
        const optionId = `${group.id}-${option.value}`;
        return (
          <div className="choice" key={option.value}>
            <input
              id={optionId}
              type="radio"
              name={group.id}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <label htmlFor={optionId}>{option.label}</label>
          </div>
        );
      })}
    </div>
  </GroupFrame>
);
