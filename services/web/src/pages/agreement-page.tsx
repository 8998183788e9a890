import { useEffect, useRef, useState } from 'react';
import type { AgreementRepresentation, CommandAnswer, PartyRole, StoredEvent } from '../api/types';
import { useApp } from '../app/app-context';
import { useLoad } from '../app/use-load';
import { hasRole } from '../auth/session';
import { AgreementDates, Parties, TermsVersions } from '../components/agreement-details';
import { CommandForm } from '../components/command-form';
import { PageHeading } from '../components/page-heading';
import { LoadFailed, Loading } from '../components/problem-alert';
import { StateBadge } from '../components/state-badge';
import { StateChart } from '../components/state-chart';
import { Timeline } from '../components/timeline';
import { commandLabel, formatDate, kindLabel, labelOf, stateLabel, t } from '../i18n/translate';
import { hrefOf } from '../routing/routes';
import { FORM_COMMANDS, type FormCommand } from '../validation/command-forms';

interface AgreementPageData {
  readonly representation: AgreementRepresentation;
  readonly events: readonly StoredEvent[];
}

/**
 * One agreement: its state and the lifecycle chart, the actions the clerk may take now (each a
 * form), the parties, the terms and their versions, and the timeline of its events.
 */
export const AgreementPage = ({ agreementId }: { readonly agreementId: string }) => {
  const { api, session, lifecycle, announce } = useApp();
  const path = `/agreements/${encodeURIComponent(agreementId)}`;
  const loaded = useLoad(
    async (signal): Promise<AgreementPageData> => {
      const [representation, history] = await Promise.all([
        api.get<AgreementRepresentation>(path, { signal }),
        api.get<{ events: StoredEvent[] }>(`${path}/events`, { signal }),
      ]);
      return { representation: representation.data, events: history.data.events };
    },
    [agreementId],
  );
  const [answered, setAnswered] = useState<AgreementPageData | null>(null);
  const [openCommand, setOpenCommand] = useState<FormCommand | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);

  // A command's answer is newer than the last load until the next load lands.
  const data = answered ?? loaded.data;
  useEffect(() => setAnswered(null), [loaded.data]);
  useEffect(() => {
    if (notice !== null) noticeRef.current?.focus();
  }, [notice]);

  if (data === null) {
    if (loaded.error !== null) {
      return (
        <>
          <PageHeading>{t('agreement.title')}</PageHeading>
          <LoadFailed problem={loaded.error.problem} retry={() => void loaded.reload()} />
        </>
      );
    }
    return <Loading />;
  }

  const { agreement, revision, allowedCommands } = data.representation;
  const ownCity = session.claims.municipality;
  const ownParty: PartyRole = agreement.partner.cityId === ownCity ? 'partner' : 'proposer';
  const actions = FORM_COMMANDS.filter((command) => allowedCommands.includes(command));
  const isClerk = hasRole(session, 'clerk');

  const done = (answer: CommandAnswer, command: FormCommand) => {
    setAnswered({
      representation: {
        agreement: answer.agreement,
        revision: answer.revision,
        allowedCommands: answer.allowedCommands,
      },
      events: data.events,
    });
    setOpenCommand(null);
    announce(null);
    setNotice(
      t('agreement.recorded', {
        action: commandLabel(command),
        state: stateLabel(answer.agreement.lifecycleState),
      }),
    );
    void loaded.reload();
  };

  return (
    <article className="agreement" aria-labelledby="agreement-heading">
      <PageHeading id="agreement-heading">{agreement.terms.title}</PageHeading>
      <p className="lede">
        {agreement.proposer.name} ({agreement.proposer.country}) · {agreement.partner.name} (
        {agreement.partner.country}) · {kindLabel(agreement.terms.kind)}
      </p>
      <p className="state-line" data-testid="agreement-state">
        {t('agreement.stateLabel')}: <StateBadge state={agreement.lifecycleState} />{' '}
        <span className="muted">{t('agreement.revision', { revision })}</span>
      </p>
      {agreement.suspension === null ? null : (
        <p>{t('agreement.suspension', { reason: agreement.suspension.reason })}</p>
      )}
      {agreement.ending === null ? null : (
        <p>
          {t('agreement.ending', {
            how: labelOf('state', agreement.ending.how),
            date: formatDate(agreement.ending.on),
          })}
          {agreement.ending.reason === null
            ? null
            : ` ${t('agreement.ending.reason', { reason: agreement.ending.reason })}`}
        </p>
      )}
      <div className="toolbar">
        <button
          type="button"
          className="button button--secondary"
          onClick={() => void loaded.reload()}
          disabled={loaded.loading}
        >
          {t('app.refresh')}
        </button>
        {hasRole(session, 'auditor') ? (
          <a className="button button--secondary" href={hrefOf({ page: 'audit', agreementId })}>
            {t('agreement.auditLink')}
          </a>
        ) : null}
      </div>
      {notice === null ? null : (
        <p ref={noticeRef} className="alert alert--success" role="status" tabIndex={-1}>
          {notice}
        </p>
      )}
      {loaded.error === null ? null : (
        <LoadFailed problem={loaded.error.problem} retry={() => void loaded.reload()} />
      )}

      {isClerk ? (
        <section aria-labelledby="actions-heading" className="section">
          <h2 id="actions-heading">{t('agreement.actions.title')}</h2>
          {actions.length === 0 ? <p>{t('agreement.actions.none')}</p> : null}
          <div className="actions" role="group" aria-labelledby="actions-heading">
            {actions.map((command) => (
              <button
                key={command}
                id={`action-${command}`}
                type="button"
                className={
                  command === openCommand ? 'button button--pressed' : 'button button--secondary'
                }
                aria-expanded={command === openCommand}
                aria-controls={command === openCommand ? `command-${command}-panel` : undefined}
                onClick={() => {
                  setNotice(null);
                  setOpenCommand(command === openCommand ? null : command);
                }}
              >
                {commandLabel(command)}
              </button>
            ))}
          </div>
          {openCommand === null ? null : (
            <div id={`command-${openCommand}-panel`} className="panel">
              <CommandForm
                key={openCommand}
                command={openCommand}
                agreement={agreement}
                revision={revision}
                ownParty={ownParty}
                allowedNow={allowedCommands.includes(openCommand)}
                reload={loaded.reload}
                onDone={(answer) => done(answer, openCommand)}
                onCancel={() => setOpenCommand(null)}
              />
            </div>
          )}
        </section>
      ) : null}

      <section aria-labelledby="lifecycle-heading" className="section">
        <h2 id="lifecycle-heading">{t('agreement.lifecycle.title')}</h2>
        {lifecycle === null ? (
          <p>{t('chart.unavailable')}</p>
        ) : (
          <StateChart chart={lifecycle} current={agreement.lifecycleState} />
        )}
      </section>

      <section aria-labelledby="parties-heading" className="section">
        <h2 id="parties-heading">{t('agreement.parties.title')}</h2>
        <Parties agreement={agreement} ownCity={ownCity} />
      </section>

      <section aria-labelledby="terms-heading" className="section">
        <h2 id="terms-heading">{t('agreement.terms.title')}</h2>
        <p>{t('agreement.terms.current', { version: String(agreement.terms.version) })}</p>
        <TermsVersions agreement={agreement} />
      </section>

      <section aria-labelledby="dates-heading" className="section">
        <h2 id="dates-heading">{t('agreement.dates.title')}</h2>
        <AgreementDates agreement={agreement} />
      </section>

      <section aria-labelledby="timeline-heading" className="section">
        <h2 id="timeline-heading">{t('agreement.timeline.title')}</h2>
        <Timeline events={data.events} />
      </section>
    </article>
  );
};
