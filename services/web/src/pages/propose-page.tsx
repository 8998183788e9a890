import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { fieldErrorsOf, type Problem } from '../api/problem';
import type { CityPartnerships, CommandAnswer } from '../api/types';
import { useApp } from '../app/app-context';
import { hasRole } from '../auth/session';
import { ErrorSummary, type SummaryItem } from '../components/error-summary';
import { CheckboxField, TextField, fieldId } from '../components/fields';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { TermsFieldset } from '../components/terms-fieldset';
import { stateLabel, t } from '../i18n/translate';
import { navigate } from '../routing/use-route';
import {
  flagOf,
  inputOf,
  textOf,
  type FieldValue,
  type FormValues,
} from '../validation/form-values';
import {
  initialProposalValues,
  proposalBodyOf,
  validateProposal,
} from '../validation/proposal-form';

const FORM = 'propose';
const FIELD_ORDER = [
  'proposer.cityId',
  'proposer.name',
  'proposer.country',
  'partner.cityId',
  'partner.name',
  'partner.country',
  'terms.title',
  'terms.purpose',
  'terms.areasOfExchange',
  'terms.kind',
  'terms.startDate',
  'terms.endDate',
  'proposedOn',
];

/** A clerk proposes a partnership for their own city: `POST /agreements`. */
export const ProposePage = () => {
  const { api, session, announce } = useApp();
  const municipality = session.claims.municipality;
  const [values, setValues] = useState<FormValues>(() =>
    initialProposalValues(municipality === null ? null : { cityId: municipality }),
  );
  const [clientErrors, setClientErrors] = useState<Readonly<Record<string, string>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // One key per proposal: a double submit or a retry creates one agreement.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const summary = useRef<HTMLDivElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  const [focusTarget, setFocusTarget] = useState<'summary' | 'alert' | null>(null);

  useEffect(() => {
    if (focusTarget === 'summary') summary.current?.focus();
    if (focusTarget === 'alert') alert.current?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  // The clerk's own city as the record knows it, to save typing its name and country.
  useEffect(() => {
    if (municipality === null) return;
    const controller = new AbortController();
    api
      .get<CityPartnerships>(`/cities/${encodeURIComponent(municipality)}`, {
        signal: controller.signal,
      })
      .then(({ data }) =>
        setValues((previous) => ({
          ...previous,
          'proposer.name': textOf(previous, 'proposer.name') || data.city.name,
          'proposer.country': textOf(previous, 'proposer.country') || data.city.country,
        })),
      )
      .catch(() => undefined);
    return () => controller.abort();
  }, [api, municipality]);

  if (!hasRole(session, 'clerk')) {
    return (
      <>
        <PageHeading>{t('propose.title')}</PageHeading>
        <p>{t('propose.onlyClerks')}</p>
      </>
    );
  }

  const serverErrors = problem === null ? {} : fieldErrorsOf(problem);
  const errorOf = (name: string): string | undefined => clientErrors[name] ?? serverErrors[name];
  const change = (name: string, value: FieldValue) =>
    setValues((previous) => ({ ...previous, [name]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const invalid = validateProposal(values);
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
      const answer = await api.post<CommandAnswer>('/agreements', {
        body: proposalBodyOf(values),
        idempotencyKey,
      });
      announce(
        t('agreement.recorded', {
          action: t('command.ProposeAgreement'),
          state: stateLabel(answer.data.agreement.lifecycleState),
        }),
      );
      navigate({ page: 'agreement', agreementId: answer.data.agreement.agreementId });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(error.problem);
      setFocusTarget('alert');
    } finally {
      setSubmitting(false);
    }
  };

  const summaryItems: SummaryItem[] = FIELD_ORDER.flatMap((name) => {
    const message = clientErrors[name];
    return message === undefined ? [] : [{ fieldId: fieldId(FORM, name), message }];
  });

  const partyFields = (party: 'proposer' | 'partner') => (
    <fieldset className="group">
      <legend>{t(party === 'proposer' ? 'propose.proposer' : 'propose.partner')}</legend>
      <TextField
        id={fieldId(FORM, `${party}.cityId`)}
        label={t('propose.cityId')}
        hint={t('propose.cityId.hint')}
        required
        width="medium"
        readOnly={party === 'proposer'}
        value={inputOf(values, `${party}.cityId`)}
        error={errorOf(`${party}.cityId`)}
        onChange={(value) => change(`${party}.cityId`, value)}
      />
      <TextField
        id={fieldId(FORM, `${party}.name`)}
        label={t('propose.name')}
        required
        width="medium"
        value={inputOf(values, `${party}.name`)}
        error={errorOf(`${party}.name`)}
        onChange={(value) => change(`${party}.name`, value)}
      />
      <TextField
        id={fieldId(FORM, `${party}.country`)}
        label={t('propose.country')}
        hint={t('propose.country.hint')}
        required
        width="short"
        value={inputOf(values, `${party}.country`)}
        error={errorOf(`${party}.country`)}
        onChange={(value) => change(`${party}.country`, value.toUpperCase())}
      />
      <CheckboxField
        id={fieldId(FORM, `${party}.councilApprovalRequired`)}
        label={t('propose.council')}
        checked={flagOf(values, `${party}.councilApprovalRequired`)}
        onChange={(checked) => change(`${party}.councilApprovalRequired`, checked)}
      />
    </fieldset>
  );

  return (
    <>
      <PageHeading>{t('propose.title')}</PageHeading>
      <p className="lede">{t('propose.intro')}</p>
      <form className="propose-form" noValidate onSubmit={(event) => void submit(event)}>
        {summaryItems.length === 0 ? null : <ErrorSummary ref={summary} items={summaryItems} />}
        {problem === null ? null : <ProblemAlert ref={alert} problem={problem} />}
        {partyFields('proposer')}
        {partyFields('partner')}
        <fieldset className="group">
          <legend>{t('propose.terms')}</legend>
          <TermsFieldset form={FORM} values={values} errorOf={errorOf} onChange={change} />
        </fieldset>
        <TextField
          id={fieldId(FORM, 'proposedOn')}
          label={t('form.proposedOn')}
          hint={t('form.date.hint')}
          type="date"
          width="medium"
          value={inputOf(values, 'proposedOn')}
          error={errorOf('proposedOn')}
          onChange={(value) => change('proposedOn', value)}
        />
        <div className="form-actions">
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? t('form.submitting') : t('propose.submit')}
          </button>
        </div>
      </form>
    </>
  );
};
