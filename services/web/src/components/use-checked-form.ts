import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { fieldErrorsOf, type Problem } from '../api/problem';
import { t } from '../i18n/translate';
import type { FieldErrors, FieldValue, FormValues } from '../validation/form-values';
import type { SummaryItem } from './error-summary';
import { fieldId, textFieldOf, type FormBinding } from './fields';

/**
 * A form that checks what the API would check before sending: its values, the errors of each
 * field (the form's own checks first, then the API's), and its submission. Errors found before
 * sending move the focus to the error summary (`summary`), a problem the API answers with to its
 * alert (`alert`); the input is kept either way.
 */
export const useCheckedForm = ({
  form,
  initialValues,
  validate,
}: {
  /** The form's name, the first part of its fields' ids. */
  readonly form: string;
  readonly initialValues: () => FormValues;
  readonly validate: (values: FormValues) => FieldErrors;
}) => {
  const [values, setValues] = useState<FormValues>(initialValues);
  const [clientErrors, setClientErrors] = useState<Readonly<Record<string, string>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  const [focusTarget, setFocusTarget] = useState<'summary' | 'alert' | null>(null);

  useEffect(() => {
    if (focusTarget === 'summary') summary.current?.focus();
    if (focusTarget === 'alert') alert.current?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  const serverErrors = problem === null ? {} : fieldErrorsOf(problem);
  const errorOf = (name: string): string | undefined => clientErrors[name] ?? serverErrors[name];
  const change = (name: string, value: FieldValue) =>
    setValues((previous) => ({ ...previous, [name]: value }));
  const binding: FormBinding = { form, values, errorOf, onChange: change };

  /**
   * Checks the values and, when they pass, sends them; a problem the API answers with is kept
   * (and handed to `rejected`). Errors other than the API's are thrown on.
   */
  const submit = async (
    event: FormEvent,
    send: () => Promise<void>,
    rejected?: (problem: Problem) => void,
  ) => {
    event.preventDefault();
    const invalid = validate(values);
    const messages = Object.fromEntries(
      Object.entries(invalid).map(([name, key]) => [name, t(key)]),
    );
    setClientErrors(messages);
    if (Object.keys(messages).length > 0) {
      setProblem(null);
      setFocusTarget('summary');
      return;
    }
    setSubmitting(true);
    try {
      await send();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(error.problem);
      rejected?.(error.problem);
      setFocusTarget('alert');
    } finally {
      setSubmitting(false);
    }
  };

  /** The form's own errors, in the order of `names`, each linking to its field. */
  const summaryItems = (names: readonly string[]): SummaryItem[] =>
    names.flatMap((name) => {
      const message = clientErrors[name];
      return message === undefined ? [] : [{ fieldId: fieldId(form, name), message }];
    });

  return {
    values,
    setValues,
    problem,
    setProblem,
    submitting,
    summary,
    alert,
    errorOf,
    change,
    binding,
    /** What ties a text field to the value `name`: its id, value, error and changes. */
    text: (name: string) => textFieldOf(binding, name),
    submit,
    summaryItems,
  };
};
