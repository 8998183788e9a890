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
import { DataTable } from '../components/data-table';
import { FormActions, SelectField, TextField, type Option } from '../components/fields';
import { PageHeading } from '../components/page-heading';
import { NotLoaded } from '../components/problem-alert';
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
  /** A filter's field: every filter is optional, none says so; its value is in the draft. */
  const filter = (name: keyof typeof draft) => ({
    id: `filter-${name}`,
    markOptional: false,
    value: draft[name],
    onChange: (value: string) => setDraft({ ...draft, [name]: value }),
  });
  /** A filter's choices, after the choice of any value. */
  const orAny = (options: readonly Option[]) => [
    { value: '', label: t('list.filters.any') },
    ...options,
  ];
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
            <NotLoaded load={attention} />
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
          <TextField {...filter('q')} label={t('list.filters.q')} type="search" />
          <SelectField
            {...filter('state')}
            label={t('list.filters.state')}
            options={orAny(
              LIFECYCLE_STATES.map((state) => ({ value: state, label: stateLabel(state) })),
            )}
          />
          <SelectField
            {...filter('kind')}
            label={t('list.filters.kind')}
            options={orAny(
              AGREEMENT_KINDS.map((kind) => ({ value: kind, label: kindLabel(kind) })),
            )}
          />
          <SelectField
            {...filter('sort')}
            label={t('list.filters.sort')}
            options={SORTS.map((sort) => ({ value: sort, label: labelOf('list.sort', sort) }))}
          />
          <FormActions submit={t('list.filters.apply')}>
            <a
              className="button button--secondary"
              href={hrefOf({ page: 'agreements', filters: {} })}
            >
              {t('list.filters.clear')}
            </a>
          </FormActions>
        </form>
      </section>

      <section aria-labelledby="results-heading" className="section">
        <h2 id="results-heading" className="visually-hidden">
          {t('list.title')}
        </h2>
        {list.data === null ? (
          <NotLoaded load={list} />
        ) : (
          <>
            <p role="status">{t('list.results', { count: items.length })}</p>
            {list.data.stale ? <p className="muted">{t('list.stale')}</p> : null}
            {items.length === 0 ? (
              <p>{t('list.empty')}</p>
            ) : (
              <DataTable
                labelledBy="results-heading"
                columns={[
                  t('list.column.title'),
                  t('list.column.parties'),
                  t('list.column.kind'),
                  t('list.column.state'),
                  t('list.column.lastChange'),
                ]}
              >
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
              </DataTable>
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
