import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { Problem } from '../api/problem';
import type {
  AgreementVerification,
  LogVerification,
  ReplayedAgreement,
  StoredEvent,
} from '../api/types';
import { useApp } from '../app/app-context';
import { useLoad } from '../app/use-load';
import { hasRole } from '../auth/session';
import { AgreementDates, Parties, TermsVersions } from '../components/agreement-details';
import { FormActions, RadioGroup, TextField } from '../components/fields';
import { PageHeading } from '../components/page-heading';
import { Loading, NotLoaded, ProblemAlert } from '../components/problem-alert';
import { StateBadge } from '../components/state-badge';
import { StateChart } from '../components/state-chart';
import { Timeline, actorOf, businessDateOf } from '../components/timeline';
import { eventLabel, formatDate, formatDateTime, t } from '../i18n/translate';
import { hrefOf } from '../routing/routes';
import { isIsoDate } from '../validation/rules';

type Mode = 'revision' | 'recorded' | 'inForce';

/** The replay point as the audit API takes it. */
type Point =
  | { readonly kind: 'revision'; readonly revision: number }
  | { readonly kind: 'recorded'; readonly at: string }
  | { readonly kind: 'inForce'; readonly on: string; readonly knownAt: string | null };

const queryOf = (point: Point | null): Record<string, string | undefined> => {
  if (point === null) return {};
  switch (point.kind) {
    case 'revision':
      return { revision: String(point.revision) };
    case 'recorded':
      return { recordedAt: point.at };
    case 'inForce':
      return { inForceOn: point.on, knownAt: point.knownAt ?? undefined };
    default: {
      const _exhaustive: never = point;
      return _exhaustive;
    }
  }
};

/** `datetime-local` input (the user's local time) as an ISO instant, or null if not one. */
const instantOf = (local: string): string | null => {
  if (local === '') return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

const saveFile = (blob: Blob, fileName: string) => {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
};

/**
 * The auditor's view of one agreement: move through its history (by revision, by system time,
 * by business date) and see it as it then stood; its verification with the log digest; exports.
 */
export const AuditPage = ({ agreementId }: { readonly agreementId: string }) => {
  const { api, session, lifecycle } = useApp();
  const id = encodeURIComponent(agreementId);
  const [mode, setMode] = useState<Mode>('revision');
  const [point, setPoint] = useState<Point | null>(null);
  const [recordedAt, setRecordedAt] = useState('');
  const [inForceOn, setInForceOn] = useState('');
  const [knownAt, setKnownAt] = useState('');
  const [pointErrors, setPointErrors] = useState<Readonly<Record<string, string>>>({});
  const [exported, setExported] = useState<string | null>(null);
  const [exportProblem, setExportProblem] = useState<Problem | null>(null);

  const events = useLoad(
    async (signal) =>
      (await api.get<{ events: StoredEvent[] }>(`/agreements/${id}/events`, { signal })).data
        .events,
    [agreementId],
  );
  const replay = useLoad(
    async (signal) =>
      (
        await api.get<ReplayedAgreement>(`/audit/agreements/${id}/state`, {
          query: queryOf(point),
          signal,
        })
      ).data,
    [agreementId, JSON.stringify(point)],
  );
  const verification = useLoad(
    async (signal) => {
      const [agreement, log] = await Promise.all([
        api.get<AgreementVerification>(`/audit/agreements/${id}/verification`, { signal }),
        api.get<LogVerification>('/audit/verification', { signal }),
      ]);
      return { agreement: agreement.data, log: log.data };
    },
    [agreementId],
  );

  if (!hasRole(session, 'auditor')) {
    return (
      <>
        <PageHeading>{t('audit.titleShort')}</PageHeading>
        <p>{t('audit.onlyAuditors')}</p>
      </>
    );
  }

  const history = events.data ?? [];
  const last = history.length - 1;
  const selectedRevision =
    point?.kind === 'revision' ? point.revision : point === null ? last : null;
  const replayedRevision =
    replay.data?.revision === null || replay.data === null ? null : Number(replay.data.revision);
  const shownRevision = selectedRevision ?? last;
  const selectedEvent = history.find((event) => Number(event.revision) === selectedRevision);
  const revisionText = t('audit.point.revisionValue', {
    revision: String(shownRevision),
    last: String(last),
    event: eventLabel(selectedEvent?.type ?? ''),
  });
  const proposedTerms = history[0]?.data['terms'];
  const proposedTitle =
    typeof proposedTerms === 'object' && proposedTerms !== null
      ? (proposedTerms as { readonly title?: unknown }).title
      : undefined;
  const title =
    replay.data?.agreement?.terms.title ??
    (typeof proposedTitle === 'string' ? proposedTitle : null);
  const heading = title === null ? t('audit.titleShort') : t('audit.title', { title });

  const showRevision = (revision: number) => {
    setMode('revision');
    setPoint(revision >= last ? null : { kind: 'revision', revision: Math.max(0, revision) });
  };

  const applyDates = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (mode === 'recorded') {
      const at = instantOf(recordedAt);
      if (at === null) errors['audit-recorded-at'] = t('validation.dateTime');
      else setPoint({ kind: 'recorded', at });
    }
    if (mode === 'inForce') {
      const known = knownAt === '' ? null : instantOf(knownAt);
      if (!isIsoDate(inForceOn)) errors['audit-in-force-on'] = t('validation.date');
      if (knownAt !== '' && known === null) errors['audit-known-at'] = t('validation.dateTime');
      if (Object.keys(errors).length === 0)
        setPoint({ kind: 'inForce', on: inForceOn, knownAt: known });
    }
    setPointErrors(errors);
  };

  const download = async (format: 'ndjson' | 'csv') => {
    setExported(null);
    setExportProblem(null);
    try {
      const file = await api.download(`/audit/agreements/${id}/export`, { query: { format } });
      saveFile(file.blob, file.fileName);
      setExported(file.fileName);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setExportProblem(error.problem);
    }
  };

  const view = replay.data?.agreement ?? null;
  return (
    <>
      <PageHeading>{heading}</PageHeading>
      <p>
        <a href={hrefOf({ page: 'agreement', agreementId })}>{t('audit.backToAgreement')}</a>
      </p>

      <section aria-labelledby="verification-heading" className="section">
        <h2 id="verification-heading">{t('audit.verification.title')}</h2>
        {verification.data === null ? (
          <NotLoaded load={verification} />
        ) : (
          <div
            className={
              verification.data.agreement.intact && verification.data.log.intact
                ? 'verification verification--ok'
                : 'verification verification--broken'
            }
            data-testid="verification-badge"
          >
            <p className="verification__verdict">
              <span aria-hidden="true" className="verification__icon">
                {verification.data.agreement.intact ? '✓' : '✗'}
              </span>{' '}
              <strong>
                {verification.data.agreement.intact
                  ? t('audit.verification.intact')
                  : t('audit.verification.broken')}
              </strong>
            </p>
            {verification.data.agreement.firstBreak === null ? null : (
              <p>
                {t('audit.verification.firstBreak', {
                  kind: verification.data.agreement.firstBreak.kind,
                  revision: verification.data.agreement.firstBreak.revision ?? '?',
                })}
              </p>
            )}
            <p>{t('audit.verification.events', { count: verification.data.agreement.events })}</p>
            <dl className="facts facts--wide">
              {verification.data.agreement.head === null ? null : (
                <>
                  <dt>
                    {t('audit.verification.head', {
                      revision: verification.data.agreement.head.revision,
                    })}
                  </dt>
                  <dd>
                    <code className="hash">{verification.data.agreement.head.hash}</code>
                  </dd>
                </>
              )}
              <dt>
                {t('audit.verification.digest', {
                  position: verification.data.log.digest.position ?? '0',
                  events: verification.data.log.digest.events,
                })}
              </dt>
              <dd>
                <code className="hash" data-testid="log-digest">
                  {verification.data.log.digest.digest}
                </code>
              </dd>
            </dl>
            <p className="muted">{t('audit.verification.digestHint')}</p>
          </div>
        )}
      </section>

      <section aria-labelledby="point-heading" className="section">
        <h2 id="point-heading">{t('audit.point.title')}</h2>
        <RadioGroup
          id="audit-mode"
          legend={t('audit.point.mode')}
          required
          value={mode}
          options={[
            { value: 'revision', label: t('audit.point.revision') },
            { value: 'recorded', label: t('audit.point.recorded') },
            { value: 'inForce', label: t('audit.point.inForce') },
          ]}
          onChange={(value) => setMode(value as Mode)}
        />
        {mode === 'revision' ? (
          last < 0 ? (
            <Loading />
          ) : (
            <div className="time-travel">
              <label htmlFor="audit-revision">{t('audit.point.revisionLabel')}</label>
              <input
                id="audit-revision"
                type="range"
                min={0}
                max={last}
                step={1}
                value={shownRevision}
                aria-valuetext={revisionText}
                onChange={(event) => showRevision(Number(event.target.value))}
              />
              <p className="time-travel__value" aria-live="polite">
                {revisionText}
              </p>
              <div className="form-actions">
                <button
                  type="button"
                  className="button button--secondary"
                  disabled={shownRevision <= 0}
                  onClick={() => showRevision(shownRevision - 1)}
                >
                  {t('audit.point.previous')}
                </button>
                <button
                  type="button"
                  className="button button--secondary"
                  disabled={shownRevision >= last}
                  onClick={() => showRevision(shownRevision + 1)}
                >
                  {t('audit.point.next')}
                </button>
                <button
                  type="button"
                  className="button button--secondary"
                  disabled={point === null}
                  onClick={() => showRevision(last)}
                >
                  {t('audit.point.latest')}
                </button>
              </div>
            </div>
          )
        ) : (
          <form className="time-travel" noValidate onSubmit={applyDates}>
            {mode === 'recorded' ? (
              <TextField
                id="audit-recorded-at"
                label={t('audit.point.recordedAt')}
                type="datetime-local"
                width="medium"
                required
                value={recordedAt}
                error={pointErrors['audit-recorded-at']}
                onChange={setRecordedAt}
              />
            ) : (
              <>
                <TextField
                  id="audit-in-force-on"
                  label={t('audit.point.inForceOn')}
                  hint={t('audit.point.inForceOn.hint')}
                  type="date"
                  width="medium"
                  required
                  value={inForceOn}
                  error={pointErrors['audit-in-force-on']}
                  onChange={setInForceOn}
                />
                <TextField
                  id="audit-known-at"
                  label={t('audit.point.knownAt')}
                  hint={t('audit.point.knownAt.hint')}
                  type="datetime-local"
                  width="medium"
                  value={knownAt}
                  error={pointErrors['audit-known-at']}
                  onChange={setKnownAt}
                />
              </>
            )}
            <FormActions submit={t('audit.point.show')} />
          </form>
        )}
      </section>

      <section aria-labelledby="view-heading" className="section" aria-busy={replay.loading}>
        <h2 id="view-heading">{t('audit.view.title')}</h2>
        {replay.error === null ? null : <ProblemAlert problem={replay.error.problem} />}
        {replay.data === null ? (
          replay.error === null ? (
            <Loading />
          ) : null
        ) : view === null ? (
          <p data-testid="audit-state">{t('audit.view.none')}</p>
        ) : (
          <>
            <p className="state-line" data-testid="audit-state">
              {t('agreement.stateLabel')}: <StateBadge state={view.lifecycleState} />
            </p>
            <p>
              {t('audit.view.summary', {
                events: replay.data.eventsApplied,
                revision: replay.data.revision ?? '–',
              })}
              {' · '}
              {t('audit.view.inForce', {
                answer: replay.data.inForce ? t('app.yes') : t('app.no'),
              })}
              {replay.data.machineVersion === null
                ? null
                : ` · ${t('audit.view.machine', { version: replay.data.machineVersion })}`}
            </p>
            {lifecycle === null ? null : (
              <StateChart chart={lifecycle} current={view.lifecycleState} />
            )}
            <h3>{t('agreement.parties.title')}</h3>
            <Parties agreement={view} ownCity={null} headingLevel={4} />
            <h3>{t('agreement.terms.title')}</h3>
            <TermsVersions agreement={view} />
            <h3>{t('agreement.dates.title')}</h3>
            <AgreementDates agreement={view} />
          </>
        )}
      </section>

      {selectedEvent === undefined ? null : (
        <section aria-labelledby="event-heading" className="section">
          <h2 id="event-heading">{t('audit.event.title', { revision: selectedEvent.revision })}</h2>
          <dl className="facts facts--wide">
            <dt>{t('audit.event.type')}</dt>
            <dd>
              {eventLabel(selectedEvent.type)} (<code>{selectedEvent.type}</code>)
            </dd>
            <dt>{t('audit.event.actor')}</dt>
            <dd>{actorOf(selectedEvent)}</dd>
            <dt>{t('audit.event.recordedAt')}</dt>
            <dd>{formatDateTime(selectedEvent.metadata.recordedAt ?? selectedEvent.storedAt)}</dd>
            <dt>{t('audit.event.businessDate')}</dt>
            <dd>
              {businessDateOf(selectedEvent) === null
                ? t('app.none')
                : formatDate(businessDateOf(selectedEvent) ?? '')}
            </dd>
            <dt>{t('audit.event.correlation')}</dt>
            <dd>
              <code>{selectedEvent.metadata.correlationId ?? t('app.none')}</code>
            </dd>
            <dt>{t('audit.event.hash')}</dt>
            <dd>
              <code className="hash">{selectedEvent.hash}</code>
            </dd>
            <dt>{t('audit.event.prevHash')}</dt>
            <dd>
              <code className="hash">{selectedEvent.prevHash}</code>
            </dd>
          </dl>
        </section>
      )}

      <section aria-labelledby="audit-timeline-heading" className="section">
        <h2 id="audit-timeline-heading">{t('agreement.timeline.title')}</h2>
        {events.data === null ? (
          <NotLoaded load={events} />
        ) : (
          <Timeline
            events={history}
            upToRevision={replay.data === null ? undefined : replayedRevision}
            onSelectRevision={showRevision}
            selectLabel={(revision) => t('audit.point.seeRevision', { revision: String(revision) })}
          />
        )}
      </section>

      <section aria-labelledby="export-heading" className="section">
        <h2 id="export-heading">{t('audit.export.title')}</h2>
        <div className="form-actions">
          <button type="button" className="button" onClick={() => void download('ndjson')}>
            {t('audit.export.ndjson')}
          </button>
          <button type="button" className="button" onClick={() => void download('csv')}>
            {t('audit.export.csv')}
          </button>
        </div>
        {exported === null ? null : (
          <p role="status" className="alert alert--success">
            {t('audit.export.done', { file: exported })}
          </p>
        )}
        {exportProblem === null ? null : <ProblemAlert problem={exportProblem} />}
      </section>
    </>
  );
};
