import { useEffect, useState } from 'react';
import type { CityPartnerships, CommandAnswer } from '../api/types';
import { useApp } from '../app/app-context';
import { hasRole } from '../auth/session';
import { ErrorSummary } from '../components/error-summary';
import { CheckboxField, FormActions, TextField, fieldId } from '../components/fields';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { TERMS_FIELDS, TermsFieldset } from '../components/terms-fieldset';
import { useCheckedForm } from '../components/use-checked-form';
import { stateLabel, t } from '../i18n/translate';
import { navigate } from '../routing/use-route';
import { flagOf, textOf } from '../validation/form-values';
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
  ...TERMS_FIELDS,
  'proposedOn',
];

/** A clerk proposes a partnership for their own city: `POST /agreements`. */
export const ProposePage = () => {
  const { api, session, announce } = useApp();
  const municipality = session.claims.municipality;
  const { values, setValues, problem, submitting, summary, alert, ...formState } = useCheckedForm({
    form: FORM,
    initialValues: () =>
      initialProposalValues(municipality === null ? null : { cityId: municipality }),
    validate: validateProposal,
  });
  // One key per proposal: a double submit or a retry creates one agreement.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

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

  const { change, text } = formState;
  const send = async () => {
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
  };

  const summaryItems = formState.summaryItems(FIELD_ORDER);

  const partyFields = (party: 'proposer' | 'partner') => (
    <fieldset className="group">
      <legend>{t(party === 'proposer' ? 'propose.proposer' : 'propose.partner')}</legend>
      <TextField
        {...text(`${party}.cityId`)}
        label={t('propose.cityId')}
        hint={t('propose.cityId.hint')}
        required
        width="medium"
        readOnly={party === 'proposer'}
      />
      <TextField {...text(`${party}.name`)} label={t('propose.name')} required width="medium" />
      <TextField
        {...text(`${party}.country`)}
        label={t('propose.country')}
        hint={t('propose.country.hint')}
        required
        width="short"
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
      <form
        className="propose-form"
        noValidate
        onSubmit={(event) => void formState.submit(event, send)}
      >
        {summaryItems.length === 0 ? null : <ErrorSummary ref={summary} items={summaryItems} />}
        {problem === null ? null : <ProblemAlert ref={alert} problem={problem} />}
        {partyFields('proposer')}
        {partyFields('partner')}
        <fieldset className="group">
          <legend>{t('propose.terms')}</legend>
          <TermsFieldset {...formState.binding} />
        </fieldset>
        <TextField
          {...text('proposedOn')}
          label={t('form.proposedOn')}
          hint={t('form.date.hint')}
          type="date"
          width="medium"
        />
        <FormActions
          submit={submitting ? t('form.submitting') : t('propose.submit')}
          disabled={submitting}
        />
      </form>
    </>
  );
};
