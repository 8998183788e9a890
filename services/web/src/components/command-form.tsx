import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { fieldErrorsOf, type Problem } from '../api/problem';
import type { AgreementView, CommandAnswer, PartyRole } from '../api/types';
import { useApp } from '../app/app-context';
import { commandLabel, t } from '../i18n/translate';
import {
  COMMAND_FORMS,
  commandBodyOf,
  initialCommandValues,
  validateCommandForm,
  visibleFields,
  type FieldSpec,
  type FormCommand,
} from '../validation/command-forms';
import { inputOf, type FieldValue, type FormValues } from '../validation/form-values';
import { ErrorSummary, type SummaryItem } from './error-summary';
import { RadioGroup, TextField, fieldId } from './fields';
import { ProblemAlert } from './problem-alert';
import { TermsFieldset } from './terms-fieldset';

const TERMS_FIELDS = [
  'terms.title',
  'terms.purpose',
  'terms.areasOfExchange',
  'terms.kind',
  'terms.startDate',
  'terms.endDate',
];

const fieldNamesOf = (fields: readonly FieldSpec[]): string[] =>
  fields.flatMap((field) => (field.kind === 'terms' ? TERMS_FIELDS : [field.name]));

/**
 * The form of one lifecycle command. It checks what the API would check before sending, sends
 * the revision it was opened on as `If-Match`, and never throws the clerk's input away: when
 * someone else acted first (412) it says so and offers to reload the agreement, keeping every
 * field as typed.
 */
export const CommandForm = ({
  command,
  agreement,
  revision,
  ownParty,
  allowedNow,
  reload,
  onDone,
  onCancel,
}: {
  readonly command: FormCommand;
  readonly agreement: AgreementView;
  /** The revision the page shows; sent as `If-Match`. */
  readonly revision: string;
  readonly ownParty: PartyRole;
  /** Whether the agreement as last loaded still allows the command. */
  readonly allowedNow: boolean;
  readonly reload: () => Promise<void>;
  readonly onDone: (answer: CommandAnswer) => void;
  readonly onCancel: () => void;
}) => {
  const { api } = useApp();
  const form = `command-${command}`;
  const spec = COMMAND_FORMS[command];
  const [values, setValues] = useState<FormValues>(() =>
    initialCommandValues(command, {
      termsVersion: agreement.terms.version,
      terms: agreement.terms,
    }),
  );
  const [clientErrors, setClientErrors] = useState<Readonly<Record<string, string>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [conflict, setConflict] = useState<'none' | 'stale' | 'reloaded'>('none');
  const [submitting, setSubmitting] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [focusTarget, setFocusTarget] = useState<'summary' | 'alert' | null>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);
  useEffect(() => {
    if (focusTarget === 'summary') summary.current?.focus();
    if (focusTarget === 'alert') alert.current?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  const fields = visibleFields(command, values);
  const serverErrors = problem === null ? {} : fieldErrorsOf(problem);
  const errorOf = (name: string): string | undefined => clientErrors[name] ?? serverErrors[name];
  const change = (name: string, value: FieldValue) => {
    setValues((previous) => ({ ...previous, [name]: value }));
  };
  const ownCity = ownParty === 'proposer' ? agreement.proposer : agreement.partner;
  const otherCity = ownParty === 'proposer' ? agreement.partner : agreement.proposer;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const invalid = validateCommandForm(command, values);
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
      const answer = await api.post<CommandAnswer>(
        `/agreements/${encodeURIComponent(agreement.agreementId)}/${spec.path}`,
        { body: commandBodyOf(command, values, ownParty), ifMatch: `"${revision}"` },
      );
      onDone(answer.data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(error.problem);
      setConflict(error.problem.status === 412 ? 'stale' : 'none');
      setFocusTarget('alert');
    } finally {
      setSubmitting(false);
    }
  };

  const reloadAgreement = async () => {
    await reload();
    setProblem(null);
    setConflict('reloaded');
  };

  const fieldNames = fieldNamesOf(fields);
  const summaryItems: SummaryItem[] = fieldNames.flatMap((name) => {
    const message = clientErrors[name];
    return message === undefined ? [] : [{ fieldId: fieldId(form, name), message }];
  });

  const renderField = (field: FieldSpec) => {
    const id = fieldId(form, field.name);
    const common = {
      id,
      label: t(field.label),
      value: inputOf(values, field.name),
      error: errorOf(field.name),
      required: field.required,
      hint: field.hint === undefined ? undefined : t(field.hint),
      onChange: (value: string) => change(field.name, value),
    };
    switch (field.kind) {
      case 'terms':
        return (
          <TermsFieldset
            key="terms"
            form={form}
            values={values}
            errorOf={errorOf}
            onChange={change}
          />
        );
      case 'party':
        return (
          <RadioGroup
            key={field.name}
            id={id}
            legend={common.label}
            hint={common.hint}
            error={common.error}
            required
            value={common.value}
            options={[
              { value: 'own', label: t('form.party.own', { city: ownCity.name }) },
              { value: 'other', label: t('form.party.other', { city: otherCity.name }) },
            ]}
            onChange={common.onChange}
          />
        );
      case 'version':
        return <TextField key={field.name} {...common} type="number" width="short" />;
      case 'date':
        return <TextField key={field.name} {...common} type="date" width="medium" />;
      case 'textarea':
        return <TextField key={field.name} {...common} multiline />;
      case 'evidence':
        return <TextField key={field.name} {...common} required />;
      case 'text':
        return <TextField key={field.name} {...common} />;
      default: {
        const _exhaustive: never = field.kind;
        return _exhaustive;
      }
    }
  };

  return (
    <form
      className="command-form"
      noValidate
      aria-labelledby={`${form}-heading`}
      onSubmit={(event) => void submit(event)}
    >
      <h3 id={`${form}-heading`} ref={heading} tabIndex={-1}>
        {commandLabel(command)}
      </h3>
      {summaryItems.length === 0 ? null : <ErrorSummary ref={summary} items={summaryItems} />}
      {conflict === 'stale' && problem !== null ? (
        <div
          ref={alert}
          className="alert alert--warning"
          role="alert"
          tabIndex={-1}
          data-problem="conflict"
        >
          <h4 className="alert__title">{t('problem.conflict.title')}</h4>
          <p>{t('problem.conflict.body')}</p>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => void reloadAgreement()}
          >
            {t('problem.conflict.reload')}
          </button>
        </div>
      ) : null}
      {conflict !== 'stale' && problem !== null ? (
        <ProblemAlert ref={alert} problem={problem}>
          {problem.status === 409 || problem.status === 403 ? (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => void reloadAgreement()}
            >
              {t('problem.rejected.reload')}
            </button>
          ) : null}
        </ProblemAlert>
      ) : null}
      {conflict === 'reloaded' ? (
        <p className="alert alert--info" role="status">
          {t('problem.conflict.reloaded')}
        </p>
      ) : null}
      {allowedNow ? null : (
        <p className="alert alert--info" role="status">
          {t('agreement.actions.noLongerAllowed')}
        </p>
      )}
      {fields.map(renderField)}
      <div className="form-actions">
        <button id={`${form}-submit`} type="submit" className="button" disabled={submitting}>
          {submitting ? t('form.submitting') : commandLabel(command)}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t('app.cancel')}
        </button>
      </div>
    </form>
  );
};
