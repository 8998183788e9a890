import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { CityNetwork, CityPartnerships } from '../api/types';
import { useApp } from '../app/app-context';
import { useLoad } from '../app/use-load';
import { DataTable } from '../components/data-table';
import { SelectField, TextField } from '../components/fields';
import { NetworkGraph } from '../components/network-graph';
import { PageHeading } from '../components/page-heading';
import { NotLoaded } from '../components/problem-alert';
import { StateBadge } from '../components/state-badge';
import { formatDate, kindLabel, t } from '../i18n/translate';
import { hrefOf } from '../routing/routes';
import { navigate } from '../routing/use-route';
import { isCityId } from '../validation/rules';

const CityLookup = ({ initial }: { readonly initial: string }) => {
  const [cityId, setCityId] = useState(initial);
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = cityId.trim();
    if (!isCityId(value)) {
      setError(t('validation.cityId'));
      return;
    }
    setError(undefined);
    navigate({ page: 'city', cityId: value });
  };
  return (
    <form
      className="inline-form"
      role="search"
      aria-label={t('city.lookup')}
      noValidate
      onSubmit={submit}
    >
      <TextField
        id="city-lookup"
        label={t('city.lookup')}
        hint={t('city.lookup.hint')}
        required
        width="medium"
        value={cityId}
        error={error}
        onChange={setCityId}
      />
      <button type="submit" className="button">
        {t('city.lookup.submit')}
      </button>
    </form>
  );
};

/** A city: its partners with the state of each partnership, and its partnership network drawn. */
export const CityPage = ({ cityId }: { readonly cityId: string | null }) => {
  const { api, session } = useApp();
  const shown = cityId ?? session.claims.municipality;
  const [depth, setDepth] = useState('2');
  const city = useLoad(
    async (signal) =>
      shown === null
        ? null
        : (await api.get<CityPartnerships>(`/cities/${encodeURIComponent(shown)}`, { signal }))
            .data,
    [shown],
  );
  const network = useLoad(
    async (signal) =>
      shown === null
        ? null
        : (
            await api.get<CityNetwork>(`/cities/${encodeURIComponent(shown)}/network`, {
              query: { depth, maxNodes: '60' },
              signal,
            })
          ).data,
    [shown, depth],
  );

  const name = city.data?.city.name ?? shown ?? '';
  const notFound = city.error instanceof ApiError && city.error.problem.status === 404;
  return (
    <>
      <PageHeading title={city.data === null ? t('city.title') : name}>
        {city.data === null
          ? t('city.title')
          : t('city.heading', { city: city.data.city.name, country: city.data.city.country })}
      </PageHeading>
      <CityLookup key={shown ?? ''} initial={shown ?? ''} />
      {shown === null ? null : city.data === null ? (
        notFound ? (
          <p>{t('city.notFound', { city: shown })}</p>
        ) : (
          <NotLoaded load={city} />
        )
      ) : (
        <>
          <section aria-labelledby="partners-heading" className="section">
            <h2 id="partners-heading">{t('city.partners.title')}</h2>
            {city.data.partnerships.length === 0 ? (
              <p>{t('city.partners.empty')}</p>
            ) : (
              <DataTable
                labelledBy="partners-heading"
                columns={[
                  t('city.partners.column.partner'),
                  t('city.partners.column.agreement'),
                  t('city.partners.column.kind'),
                  t('city.partners.column.state'),
                  t('city.partners.column.since'),
                ]}
              >
                {city.data.partnerships.map((partnership) => (
                  <tr key={partnership.agreementId}>
                    <td>
                      <a href={hrefOf({ page: 'city', cityId: partnership.partner.cityId })}>
                        {partnership.partner.name}
                      </a>{' '}
                      ({partnership.partner.country})
                    </td>
                    <td>
                      <a
                        href={hrefOf({
                          page: 'agreement',
                          agreementId: partnership.agreementId,
                        })}
                      >
                        {partnership.title}
                      </a>
                    </td>
                    <td>{kindLabel(partnership.kind)}</td>
                    <td>
                      <StateBadge state={partnership.state} />
                    </td>
                    <td>
                      {partnership.activatedOn === null
                        ? t('app.none')
                        : formatDate(partnership.activatedOn)}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <section aria-labelledby="network-heading" className="section">
            <h2 id="network-heading">{t('city.network.title')}</h2>
            <SelectField
              id="network-depth"
              label={t('city.network.depth', { city: name })}
              required
              value={depth}
              options={['1', '2', '3'].map((value) => ({ value, label: value }))}
              onChange={setDepth}
            />
            {network.data === null ? (
              <NotLoaded load={network} />
            ) : (
              <NetworkGraph network={network.data} cityName={name} />
            )}
          </section>
        </>
      )}
    </>
  );
};
