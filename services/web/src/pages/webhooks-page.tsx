import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { fieldErrorsOf, type Problem } from '../api/problem';
import type { Delivery, DeliveryAttempt, WebhookEndpoint } from '../api/types';
import { useApp } from '../app/app-context';
import { useLoad } from '../app/use-load';
import { hasRole } from '../auth/session';
import { DataTable, Table } from '../components/data-table';
import { CheckboxGroup, FormActions, TextField } from '../components/fields';
import { PageHeading } from '../components/page-heading';
import { NotLoaded, ProblemAlert } from '../components/problem-alert';
import { formatDateTime, formatNumber, labelOf, t } from '../i18n/translate';
import { hrefOf } from '../routing/routes';
import { isCityId, isWebhookUrl } from '../validation/rules';

const CreateEndpoint = ({ onCreated }: { readonly onCreated: () => void }) => {
  const { api } = useApp();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [eventTypes, setEventTypes] = useState<readonly string[]>([]);
  const [cityIds, setCityIds] = useState('');
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const secretRef = useRef<HTMLDivElement>(null);
  const types = useLoad(
    async (signal) =>
      (await api.get<{ eventTypes: string[] }>('/admin/webhooks/event-types', { signal })).data
        .eventTypes,
    [],
  );
  useEffect(() => {
    if (secret !== null) secretRef.current?.focus();
  }, [secret]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const cities = cityIds
      .split(',')
      .map((city) => city.trim())
      .filter((city) => city !== '');
    const invalid: Record<string, string> = {};
    if (!isWebhookUrl(url.trim())) invalid['url'] = t('validation.url');
    if (!cities.every(isCityId)) invalid['cityIds'] = t('validation.cityList');
    setErrors(invalid);
    setProblem(null);
    if (Object.keys(invalid).length > 0) return;
    try {
      const created = await api.post<{ endpoint: WebhookEndpoint; secret: string }>(
        '/admin/webhooks/endpoints',
        {
          body: {
            url: url.trim(),
            ...(description.trim() === '' ? {} : { description: description.trim() }),
            ...(eventTypes.length === 0 ? {} : { eventTypes }),
            ...(cities.length === 0 ? {} : { cityIds: cities }),
          },
        },
      );
      setSecret({ url: created.data.endpoint.url, secret: created.data.secret });
      setUrl('');
      setDescription('');
      setEventTypes([]);
      setCityIds('');
      onCreated();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(error.problem);
      setErrors(fieldErrorsOf(error.problem));
    }
  };

  return (
    <section aria-labelledby="create-endpoint-heading" className="section">
      <h2 id="create-endpoint-heading">{t('webhooks.create.title')}</h2>
      {secret === null ? null : (
        <div ref={secretRef} className="alert alert--success" role="status" tabIndex={-1}>
          <h3 className="alert__title">{t('webhooks.created.title')}</h3>
          <p>{secret.url}</p>
          <p>{t('webhooks.created.secret')}</p>
          <p>
            {t('webhooks.created.secretLabel')}:{' '}
            <code data-testid="webhook-secret">{secret.secret}</code>
          </p>
        </div>
      )}
      <form noValidate onSubmit={(event) => void submit(event)}>
        {problem === null ? null : <ProblemAlert problem={problem} />}
        <TextField
          id="webhook-url"
          label={t('webhooks.create.url')}
          hint={t('webhooks.create.url.hint')}
          type="url"
          required
          value={url}
          error={errors['url']}
          onChange={setUrl}
        />
        <TextField
          id="webhook-description"
          label={t('webhooks.create.description')}
          value={description}
          error={errors['description']}
          onChange={setDescription}
        />
        {types.data === null ? null : (
          <CheckboxGroup
            id="webhook-event-types"
            legend={t('webhooks.create.eventTypes')}
            hint={t('webhooks.create.eventTypes.hint')}
            options={types.data.map((type) => ({ value: type, label: type }))}
            values={eventTypes}
            onChange={setEventTypes}
          />
        )}
        <TextField
          id="webhook-city-ids"
          label={t('webhooks.create.cityIds')}
          hint={t('webhooks.create.cityIds.hint')}
          value={cityIds}
          error={errors['cityIds']}
          onChange={setCityIds}
        />
        <FormActions submit={t('webhooks.create.submit')} />
      </form>
    </section>
  );
};

const Attempts = ({ deliveryId }: { readonly deliveryId: string }) => {
  const { api } = useApp();
  const found = useLoad(
    async (signal) =>
      (
        await api.get<{ delivery: Delivery; attempts: DeliveryAttempt[] }>(
          `/admin/webhooks/deliveries/${encodeURIComponent(deliveryId)}`,
          { signal },
        )
      ).data,
    [deliveryId],
  );
  if (found.data === null) return <NotLoaded load={found} />;
  return (
    <section aria-labelledby={`attempts-${deliveryId}`} className="panel">
      <h3 id={`attempts-${deliveryId}`}>{t('webhooks.attempts.title', { id: deliveryId })}</h3>
      {found.data.attempts.length === 0 ? (
        <p>{t('webhooks.attempts.empty')}</p>
      ) : (
        <Table
          columns={[
            t('webhooks.attempts.column.at'),
            t('webhooks.attempts.column.outcome'),
            t('webhooks.attempts.column.status'),
            t('webhooks.attempts.column.duration'),
            t('webhooks.attempts.column.error'),
          ]}
        >
          {found.data.attempts.map((attempt) => (
            <tr key={attempt.id}>
              <td>{formatDateTime(attempt.attemptedAt)}</td>
              <td>{labelOf('webhooks.attempt.outcome', attempt.outcome)}</td>
              <td>{attempt.statusCode ?? t('app.none')}</td>
              <td>{t('webhooks.attempts.duration', { ms: attempt.durationMs })}</td>
              <td>{attempt.error ?? attempt.responseExcerpt ?? ''}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
};

const Deliveries = ({ endpoint }: { readonly endpoint: WebhookEndpoint }) => {
  const { api } = useApp();
  const [openAttempts, setOpenAttempts] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const deliveries = useLoad(
    async (signal) =>
      (
        await api.get<{ deliveries: Delivery[] }>(
          `/admin/webhooks/endpoints/${encodeURIComponent(endpoint.id)}/deliveries`,
          { signal },
        )
      ).data.deliveries,
    [endpoint.id],
  );
  const redeliver = async (delivery: Delivery) => {
    setNotice(null);
    setProblem(null);
    try {
      await api.post<Delivery>(
        `/admin/webhooks/deliveries/${encodeURIComponent(delivery.id)}/redeliver`,
      );
      setNotice(t('webhooks.deliveries.redelivered', { id: delivery.id }));
      setOpenAttempts(null);
      await deliveries.reload();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(error.problem);
    }
  };
  return (
    <section aria-labelledby="deliveries-heading" className="section">
      <h2 id="deliveries-heading">{t('webhooks.deliveries.title', { url: endpoint.url })}</h2>
      <button
        type="button"
        className="button button--secondary"
        onClick={() => void deliveries.reload()}
      >
        {t('app.refresh')}
      </button>
      {notice === null ? null : (
        <p className="alert alert--success" role="status">
          {notice}
        </p>
      )}
      {problem === null ? null : <ProblemAlert problem={problem} />}
      {deliveries.data === null ? (
        <NotLoaded load={deliveries} />
      ) : deliveries.data.length === 0 ? (
        <p>{t('webhooks.deliveries.empty')}</p>
      ) : (
        <DataTable
          labelledBy="deliveries-heading"
          testId="deliveries"
          columns={[
            t('webhooks.deliveries.column.event'),
            t('webhooks.deliveries.column.agreement'),
            t('webhooks.deliveries.column.status'),
            t('webhooks.deliveries.column.attempts'),
            t('webhooks.deliveries.column.last'),
            t('webhooks.deliveries.column.actions'),
          ]}
        >
          {deliveries.data.map((delivery) => (
            <tr key={delivery.id} data-delivery={delivery.id}>
              <td>
                <code>{delivery.type}</code>
              </td>
              <td>
                <a
                  href={hrefOf({
                    page: 'agreement',
                    agreementId: delivery.agreementStreamId.replace(/^agreement-/, ''),
                  })}
                >
                  {delivery.agreementStreamId.replace(/^agreement-/, '').slice(0, 8)}…
                </a>
              </td>
              <td data-testid="delivery-status">
                {labelOf('webhooks.delivery.status', delivery.status)}
              </td>
              <td data-testid="delivery-attempts">{formatNumber(delivery.attempts)}</td>
              <td>
                {delivery.lastAttemptAt === null
                  ? t('app.none')
                  : formatDateTime(delivery.lastAttemptAt)}
              </td>
              <td className="table__actions">
                <button
                  type="button"
                  className="button button--secondary button--small"
                  aria-expanded={openAttempts === delivery.id}
                  aria-label={t('webhooks.deliveries.attemptsOf', { id: delivery.id })}
                  onClick={() => setOpenAttempts(openAttempts === delivery.id ? null : delivery.id)}
                >
                  {t('webhooks.deliveries.attempts')}
                </button>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  aria-label={t('webhooks.deliveries.redeliverOf', { id: delivery.id })}
                  onClick={() => void redeliver(delivery)}
                >
                  {t('webhooks.deliveries.redeliver')}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {openAttempts === null ? null : <Attempts key={openAttempts} deliveryId={openAttempts} />}
    </section>
  );
};

/** Admins: the webhook endpoints, their deliveries and every attempt, and redelivery. */
export const WebhooksPage = ({ endpointId }: { readonly endpointId: string | null }) => {
  const { api, session } = useApp();
  const endpoints = useLoad(
    async (signal) =>
      (await api.get<{ endpoints: WebhookEndpoint[] }>('/admin/webhooks/endpoints', { signal }))
        .data.endpoints,
    [],
  );
  const [problem, setProblem] = useState<Problem | null>(null);

  if (!hasRole(session, 'admin')) {
    return (
      <>
        <PageHeading>{t('webhooks.title')}</PageHeading>
        <p>{t('webhooks.onlyAdmins')}</p>
      </>
    );
  }

  const toggle = async (endpoint: WebhookEndpoint) => {
    setProblem(null);
    try {
      await api.post<WebhookEndpoint>(
        `/admin/webhooks/endpoints/${encodeURIComponent(endpoint.id)}/${endpoint.status === 'active' ? 'pause' : 'resume'}`,
      );
      await endpoints.reload();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblem(error.problem);
    }
  };

  const selected = endpoints.data?.find((endpoint) => endpoint.id === endpointId) ?? null;
  return (
    <>
      <PageHeading>{t('webhooks.title')}</PageHeading>
      <p className="lede">{t('webhooks.intro')}</p>
      <section aria-labelledby="endpoints-heading" className="section">
        <h2 id="endpoints-heading">{t('webhooks.endpoints.title')}</h2>
        {problem === null ? null : <ProblemAlert problem={problem} />}
        {endpoints.data === null ? (
          <NotLoaded load={endpoints} />
        ) : endpoints.data.length === 0 ? (
          <p>{t('webhooks.endpoints.empty')}</p>
        ) : (
          <DataTable
            labelledBy="endpoints-heading"
            columns={[
              t('webhooks.column.url'),
              t('webhooks.column.description'),
              t('webhooks.column.status'),
              t('webhooks.column.filters'),
              t('webhooks.column.actions'),
            ]}
          >
            {endpoints.data.map((endpoint) => (
              <tr key={endpoint.id} aria-current={endpoint.id === endpointId ? 'true' : undefined}>
                <td>
                  <code>{endpoint.url}</code>
                </td>
                <td>{endpoint.description ?? ''}</td>
                <td>{labelOf('webhooks.status', endpoint.status)}</td>
                <td>
                  {endpoint.eventTypes === null
                    ? t('webhooks.allEvents')
                    : t('webhooks.someEvents', { count: endpoint.eventTypes.length })}
                  {', '}
                  {endpoint.cityIds === null
                    ? t('webhooks.allCities')
                    : endpoint.cityIds.join(', ')}
                </td>
                <td className="table__actions">
                  <a
                    className="button button--secondary button--small"
                    href={hrefOf({ page: 'webhooks', endpointId: endpoint.id })}
                    aria-label={t('webhooks.showFor', { url: endpoint.url })}
                  >
                    {t('webhooks.show')}
                  </a>
                  <button
                    type="button"
                    className="button button--secondary button--small"
                    onClick={() => void toggle(endpoint)}
                  >
                    {endpoint.status === 'active' ? t('webhooks.pause') : t('webhooks.resume')}
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      {selected === null ? null : <Deliveries key={selected.id} endpoint={selected} />}
      <CreateEndpoint onCreated={() => void endpoints.reload()} />
    </>
  );
};
