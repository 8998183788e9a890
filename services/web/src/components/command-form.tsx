import { useEffect, useRef, useState } from 'react';
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
import { ErrorSummary } from './error-summary';
import { FormActions, RadioGroup, TextField } from './fields';
import { ProblemAlert } from './problem-alert';
import { TERMS_FIELDS, TermsFieldset } from './terms-fieldset';
import { useCheckedForm } from './use-checked-form';

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
  const { values, problem, setProblem, submitting, summary, alert, ...formState } = useCheckedForm({
    form,
    initialValues: () =>
      initialCommandValues(command, {
        termsVersion: agreement.terms.version,
        terms: agreement.terms,
      }),
    validate: (current) => validateCommandForm(command, current),
  });
  const [conflict, setConflict] = useState<'none' | 'stale' | 'reloaded'>('none');
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const fields = visibleFields(command, values);
  const ownCity = ownParty === 'proposer' ? agreement.proposer : agreement.partner;
  const otherCity = ownParty === 'proposer' ? agreement.partner : agreement.proposer;

  const send = async () => {
    const answer = await api.post<CommandAnswer>(
      `/agreements/${encodeURIComponent(agreement.agreementId)}/${spec.path}`,
      { body: commandBodyOf(command, values, ownParty), ifMatch: `"${revision}"` },
    );
    onDone(answer.data);
  };

  const reloadAgreement = async () => {
    await reload();
    setProblem(null);
    setConflict('reloaded');
  };

  const summaryItems = formState.summaryItems(fieldNamesOf(fields));
  const reloadButton = (label: string) => (
    <button
      type="button"
      className="button button--secondary"
      onClick={() => void reloadAgreement()}
    >
      {label}
    </button>
  );

  const renderField = (field: FieldSpec) => {
    const common = {
      ...formState.text(field.name),
      label: t(field.label),
      required: field.required,
      hint: field.hint === undefined ? undefined : t(field.hint),
    };
    switch (field.kind) {
      case 'terms':
        return <TermsFieldset key="terms" {...formState.binding} />;
      case 'party':
        return (
          <RadioGroup
            key={field.name}
            id={common.id}
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
      onSubmit={(event) =>
        void formState.submit(event, send, (rejection) =>
          setConflict(rejection.status === 412 ? 'stale' : 'none'),
        )
      }
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
          {reloadButton(t('problem.conflict.reload'))}
        </div>
      ) : null}
      {conflict !== 'stale' && problem !== null ? (
        <ProblemAlert ref={alert} problem={problem}>
          {problem.status === 409 || problem.status === 403
            ? reloadButton(t('problem.rejected.reload'))
            : null}
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
      <FormActions
        submit={submitting ? t('form.submitting') : commandLabel(command)}
        submitId={`${form}-submit`}
        disabled={submitting}
      >
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t('app.cancel')}
        </button>
      </FormActions>
    </form>
  );
};
