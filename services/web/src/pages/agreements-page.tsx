import { useState, type FormEvent } from 'react';
import type {
  AgreementItem,
  AgreementList,
  AgreementRepresentation,
  DueAgreements,
} from '../api/types';
import { AGREEMENT_KINDS, LIFECYCLE_STATES } from '../api/types';
import { useApp } from '../app/app-context';
import { useLoad } from '../app/use-load';
import { hasRole } from '../auth/session';
import { SelectField, TextField } from '../components/fields';
import { PageHeading } from '../components/page-heading';
import { LoadFailed, Loading } from '../components/problem-alert';
import { StateBadge } from '../components/state-badge';
import {
  commandLabel,
  formatDate,
  formatList,
  kindLabel,
  labelOf,
  stateLabel,
  t,
} from '../i18n/translate';
import { hrefOf } from '../routing/routes';
import { navigate } from '../routing/use-route';

const SORTS = [
  '-last_change',
  'last_change',
  'title',
  '-title',
  '-proposed',
  'proposed',
  'city',
  '-city',
] as const;

/** Commands that move an agreement on: the ones a clerk is waited for. */
const PROGRESSING = [
  'AcceptTerms',
  'RecordCouncilApproval',
  'RecordSignature',
  'ActivateAgreement',
];
const IN_PROGRESS = 'proposed,negotiated,partially_signed,signed';

interface Attention {
  readonly item: AgreementItem;
  readonly reason: string;
}

/**
 * What waits for the clerk: agreements in progress whose next step is theirs (read from the
 * actions the API allows them on each), and fixed terms ending within 90 days.
 */
const useAttention = (enabled: boolean) => {
  const { api } = useApp();
  return useLoad(
    async (signal): Promise<readonly Attention[]> => {
      if (!enabled) return [];
      const [inProgress, due] = await Promise.all([
        api.get<AgreementList>('/agreements', {
          query: { state: IN_PROGRESS, limit: '20' },
          signal,
        }),
        api.get<DueAgreements>('/agreements/due', { query: { withinDays: '90' }, signal }),
      ]);
      const waiting = await Promise.all(
        inProgress.data.items.map(async (item): Promise<Attention | null> => {
          const { data } = await api.get<AgreementRepresentation>(
            `/agreements/${encodeURIComponent(item.agreementId)}`,
            { signal },
          );
          const next = data.allowedCommands.filter((command) => PROGRESSING.includes(command));
          return next.length === 0 ? null : { item, reason: formatList(next.map(commandLabel)) };
        }),
      );
      const expiring = due.data.expiring.map(({ agreement, endDate, daysLeft }) => ({
        item: agreement,
        reason: t('list.attention.expiring', { date: formatDate(endDate), days: daysLeft }),
      }));
      return [...waiting.filter((entry): entry is Attention => entry !== null), ...expiring];
    },
    [enabled],
  );
};

const AgreementLink = ({ item }: { readonly item: AgreementItem }) => (
  <a href={hrefOf({ page: 'agreement', agreementId: item.agreementId })}>{item.title}</a>
);

/**
 * The agreements the user may see: for a clerk those of their municipality, what needs action
 * from them first; then filters, search and sorting over the whole list.
 */
export const AgreementsPage = ({
  filters,
}: {
  readonly filters: Readonly<Record<string, string>>;
}) => {
  const { api, session } = useApp();
  const isClerk = hasRole(session, 'clerk');
  const attention = useAttention(isClerk);
  const [draft, setDraft] = useState({
    q: filters['q'] ?? '',
    state: filters['state'] ?? '',
    kind: filters['kind'] ?? '',
    sort: filters['sort'] ?? '-last_change',
  });
  const [pages, setPages] = useState<readonly AgreementList[]>([]);
  const query = {
    q: filters['q'],
    state: filters['state'],
    kind: filters['kind'],
    sort: filters['sort'],
    limit: '25',
  };
  const list = useLoad(
    async (signal) => {
      setPages([]);
      return (await api.get<AgreementList>('/agreements', { query, signal })).data;
    },
    [filters['q'], filters['state'], filters['kind'], filters['sort']],
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate({ page: 'agreements', filters: draft });
  };
  const loadMore = async (cursor: string) => {
    const next = await api.get<AgreementList>('/agreements', { query: { ...query, cursor } });
    setPages((previous) => [...previous, next.data]);
  };
  const items = list.data === null ? [] : [list.data, ...pages].flatMap((page) => page.items);
  const nextCursor = (pages.at(-1) ?? list.data)?.nextCursor ?? null;
  const city = session.claims.municipality;

  return (
    <>
      <PageHeading>{t('list.title')}</PageHeading>
      <p className="lede">
        {isClerk && city !== null ? t('list.intro.clerk', { city }) : t('list.intro.all')}
      </p>
      {isClerk ? (
        <p>
          <a id="propose-link" className="button" href={hrefOf({ page: 'propose' })}>
            {t('nav.propose')}
          </a>
        </p>
      ) : null}

      {isClerk ? (
        <section aria-labelledby="attention-heading" className="section attention">
          <h2 id="attention-heading">{t('list.attention.title')}</h2>
          {attention.data === null ? (
            attention.error === null ? (
              <Loading />
            ) : (
              <LoadFailed problem={attention.error.problem} retry={() => void attention.reload()} />
            )
          ) : attention.data.length === 0 ? (
            <p>{t('list.attention.empty')}</p>
          ) : (
            <ul className="attention__list">
              {attention.data.map(({ item, reason }) => (
                <li key={`${item.agreementId}-${reason}`}>
                  <AgreementLink item={item} /> <StateBadge state={item.state} />
                  <span className="attention__reason">{reason}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}

      <section aria-labelledby="filters-heading" className="section">
        <h2 id="filters-heading">{t('list.filters.title')}</h2>
        <form className="filters" role="search" aria-labelledby="filters-heading" onSubmit={apply}>
          <TextField
            id="filter-q"
            markOptional={false}
            label={t('list.filters.q')}
            type="search"
            value={draft.q}
            onChange={(q) => setDraft({ ...draft, q })}
          />
          <SelectField
            id="filter-state"
            markOptional={false}
            label={t('list.filters.state')}
            value={draft.state}
            options={[
              { value: '', label: t('list.filters.any') },
              ...LIFECYCLE_STATES.map((state) => ({ value: state, label: stateLabel(state) })),
            ]}
            onChange={(state) => setDraft({ ...draft, state })}
          />
          <SelectField
            id="filter-kind"
            markOptional={false}
            label={t('list.filters.kind')}
            value={draft.kind}
            options={[
              { value: '', label: t('list.filters.any') },
              ...AGREEMENT_KINDS.map((kind) => ({ value: kind, label: kindLabel(kind) })),
            ]}
            onChange={(kind) => setDraft({ ...draft, kind })}
          />
          <SelectField
            id="filter-sort"
            markOptional={false}
            label={t('list.filters.sort')}
            value={draft.sort}
            options={SORTS.map((sort) => ({ value: sort, label: labelOf('list.sort', sort) }))}
            onChange={(sort) => setDraft({ ...draft, sort })}
          />
          <div className="form-actions">
            <button type="submit" className="button">
              {t('list.filters.apply')}
            </button>
            <a
              className="button button--secondary"
              href={hrefOf({ page: 'agreements', filters: {} })}
            >
              {t('list.filters.clear')}
            </a>
          </div>
        </form>
      </section>

      <section aria-labelledby="results-heading" className="section">
        <h2 id="results-heading" className="visually-hidden">
          {t('list.title')}
        </h2>
        {list.data === null ? (
          list.error === null ? (
            <Loading />
          ) : (
            <LoadFailed problem={list.error.problem} retry={() => void list.reload()} />
          )
        ) : (
          <>
            <p role="status">{t('list.results', { count: items.length })}</p>
            {list.data.stale ? <p className="muted">{t('list.stale')}</p> : null}
            {items.length === 0 ? (
              <p>{t('list.empty')}</p>
            ) : (
              <div
                className="table-scroll"
                role="region"
                aria-labelledby="results-heading"
                tabIndex={0}
              >
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">{t('list.column.title')}</th>
                      <th scope="col">{t('list.column.parties')}</th>
                      <th scope="col">{t('list.column.kind')}</th>
                      <th scope="col">{t('list.column.state')}</th>
                      <th scope="col">{t('list.column.lastChange')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((item) => (
                      <tr key={item.agreementId}>
                        <td>
                          <AgreementLink item={item} />
                        </td>
                        <td>
                          {t('list.parties', {
                            proposer: item.proposer.name,
                            partner: item.partner.name,
                          })}
                        </td>
                        <td>{kindLabel(item.kind)}</td>
                        <td>
                          <StateBadge state={item.state} />
                        </td>
                        <td>{formatDate(item.lastChangedOn)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {nextCursor === null ? null : (
              <button
                type="button"
                className="button button--secondary"
                onClick={() => void loadMore(nextCursor)}
              >
                {t('list.more')}
              </button>
            )}
          </>
        )}
      </section>
    </>
  );
};
