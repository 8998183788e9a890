import type { LookupAddress } from 'node:dns';
import { createInMemoryEventStore, type EventStore } from '@twinning/event-store';
import { createLogger, type HttpApp } from '@twinning/http-kit';
import { createPGliteClient, type SqlClient } from '@twinning/sql';
import {
  generateEncryptionKey,
  signingKeyOf,
  writeCheckpoint,
  type HostResolver,
} from '@twinning/webhooks';
import { appendAgreement, coventry, dresden, kiel } from '@twinning/webhooks/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createTokenVerifier, loadAuthConfig, mintDevToken } from '../auth/index.js';
import { createSqlMunicipalityDirectory } from '../municipalities/municipality-directory.js';

let sql: SqlClient;
let store: EventStore;
let app: HttpApp;
let admin: string;

const resolve: HostResolver = (hostname) => {
  const answers: Record<string, string> = {
    'hooks.coventry.gov.uk': '93.184.216.34',
    'records.internal.example': '10.20.30.40',
  };
  const address = answers[hostname];
  return Promise.resolve(
    address === undefined ? [] : [{ address, family: 4 } satisfies LookupAddress],
  );
};

beforeAll(async () => {
  sql = await createPGliteClient();
  admin = await mintDevToken({ subject: 'admin@example.org', name: 'Admin', roles: ['admin'] });
});
afterAll(() => sql.close());

beforeEach(async () => {
  await sql.exec(`DO $$ BEGIN
    IF to_regclass('webhook_endpoints') IS NOT NULL THEN
      TRUNCATE webhook_attempts, webhook_deliveries, webhook_messages, webhook_endpoint_secrets,
               webhook_endpoints, webhook_checkpoints, webhook_agreement_parties,
               webhook_endpoint_notices RESTART IDENTITY;
    END IF;
  END $$`);
  store = createInMemoryEventStore();
  app = await buildApp({
    store,
    sql,
    municipalities: await createSqlMunicipalityDirectory(sql),
    verifier: createTokenVerifier(loadAuthConfig({ AUTH_MODE: 'dev' })),
    logger: createLogger({ name: 'twinning-api', level: 'silent' }),
    webhooks: {
      settings: {
        encryptionKey: generateEncryptionKey(),
        addressPolicy: { allowHttp: false, allowedHosts: [] },
        secretGracePeriodMs: 24 * 3600 * 1000,
      },
      resolve,
    },
  });
});
afterEach(() => app.close());

const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  token = admin,
) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload }),
  });

const createEndpoint = async (body: object = {}) => {
  const response = await call('POST', '/admin/webhooks/endpoints', {
    url: 'https://hooks.coventry.gov.uk/twinning',
    ...body,
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ endpoint: { id: string }; secret: string }>();
};

describe('webhook endpoints (admin)', () => {
  it('are for admins only', async () => {
    const clerk = await mintDevToken({
      subject: 'clerk@gb-coventry',
      name: 'Clerk',
      roles: ['clerk'],
      municipality: 'gb-coventry',
    });
    expect((await call('GET', '/admin/webhooks/endpoints', undefined, clerk)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/admin/webhooks/endpoints' })).statusCode).toBe(
      401,
    );
  });

  it('are created with a secret shown once and stored sealed', async () => {
    const response = await call('POST', '/admin/webhooks/endpoints', {
      url: 'https://hooks.coventry.gov.uk/twinning',
      description: 'Coventry city website',
      eventTypes: ['agreement.signed', 'agreement.proposed'],
      cityIds: ['gb-coventry'],
    });
    expect(response.statusCode).toBe(201);
    const { endpoint, secret } = response.json<{ endpoint: { id: string }; secret: string }>();
    expect(response.headers.location).toBe(`/admin/webhooks/endpoints/${endpoint.id}`);
    expect(signingKeyOf(secret)).toHaveLength(32);
    expect(endpoint).toMatchObject({
      url: 'https://hooks.coventry.gov.uk/twinning',
      description: 'Coventry city website',
      eventTypes: ['agreement.signed', 'agreement.proposed'],
      cityIds: ['gb-coventry'],
      status: 'active',
      secrets: [{ expiresAt: null }],
    });

    const fetched = await call('GET', `/admin/webhooks/endpoints/${endpoint.id}`);
    expect(fetched.json()).toEqual(endpoint);
    expect(JSON.stringify(fetched.json())).not.toContain(secret);
    const { rows } = await sql.query<{ sealed_secret: string }>(
      'SELECT sealed_secret FROM webhook_endpoint_secrets',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sealed_secret).not.toContain(secret.slice('whsec_'.length, 20));
  });

  it.each([
    ['http://hooks.coventry.gov.uk/', 'scheme_not_allowed'],
    ['https://127.0.0.1/', 'forbidden_address'],
    ['https://[::ffff:192.168.0.1]/', 'forbidden_address'],
    ['https://169.254.169.254/latest/meta-data/', 'forbidden_address'],
    ['https://records.internal.example/', 'forbidden_address'],
    ['https://localhost:8443/', 'forbidden_host'],
  ])('refuse %s with 422 (%s)', async (url, reason) => {
    const response = await call('POST', '/admin/webhooks/endpoints', { url });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'TWN_ERR_WEBHOOK_URL_REFUSED', reason });
  });

  it('refuse unknown event types and malformed city ids with 400', async () => {
    const response = await call('POST', '/admin/webhooks/endpoints', {
      url: 'https://hooks.coventry.gov.uk/',
      eventTypes: ['AgreementSigned'],
      cityIds: ['Coventry'],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'TWN_ERR_VALIDATION' });
  });

  it('are listed, changed, paused, resumed, rotated and deleted', async () => {
    const { endpoint } = await createEndpoint();
    const path = `/admin/webhooks/endpoints/${endpoint.id}`;

    const changed = await call('PATCH', path, { description: 'New', eventTypes: null });
    expect(changed.json()).toMatchObject({
      description: 'New',
      eventTypes: null,
      url: 'https://hooks.coventry.gov.uk/twinning',
    });
    expect((await call('PATCH', path, { url: 'https://10.0.0.1/' })).statusCode).toBe(422);

    expect((await call('POST', `${path}/pause`)).json()).toMatchObject({ status: 'paused' });
    expect((await call('POST', `${path}/resume`)).json()).toMatchObject({ status: 'active' });

    const rotated = await call('POST', `${path}/rotate-secret`, { gracePeriodSeconds: 3600 });
    expect(rotated.statusCode).toBe(200);
    const body = rotated.json<{
      secret: string;
      endpoint: { secrets: { expiresAt: string | null }[] };
    }>();
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.endpoint.secrets).toHaveLength(2);
    expect(body.endpoint.secrets[0]!.expiresAt).toBeNull();
    expect(Date.parse(body.endpoint.secrets[1]!.expiresAt!) - Date.now()).toBeGreaterThan(
      3_500_000,
    );

    const listed = await call('GET', '/admin/webhooks/endpoints');
    expect(listed.json<{ endpoints: unknown[] }>().endpoints).toHaveLength(1);

    expect((await call('DELETE', path)).statusCode).toBe(204);
    const gone = await call('GET', path);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'TWN_ERR_WEBHOOK_ENDPOINT_NOT_FOUND' });
  });
});

describe('deliveries (admin)', () => {
  it('are back-filled, listed with their attempts, and redelivered', async () => {
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 1);
    await appendAgreement(store, { proposer: coventry, partner: dresden }, 1);
    await sql.transaction(async (tx) => {
      await writeCheckpoint(tx, 4n, new Date());
    });
    const { endpoint } = await createEndpoint({ cityIds: ['de-kiel'] });
    const path = `/admin/webhooks/endpoints/${endpoint.id}`;

    const backfill = await call('POST', `${path}/backfill`, { fromPosition: '1' });
    expect(backfill.statusCode).toBe(202);
    expect(backfill.json()).toEqual({ recorded: 2, upToPosition: '4' });

    const listed = await call('GET', `${path}/deliveries?status=pending`);
    const { deliveries } = listed.json<{
      deliveries: {
        id: string;
        webhookId: string;
        type: string;
        globalPosition: string;
        status: string;
      }[];
    }>();
    expect(deliveries.map((delivery) => [delivery.type, delivery.globalPosition])).toEqual([
      ['agreement.terms_accepted', '2'],
      ['agreement.proposed', '1'],
    ]);
    expect(deliveries[0]!.webhookId).toMatch(/^msg_/);

    const one = await call('GET', `/admin/webhooks/deliveries/${deliveries[1]!.id}`);
    expect(one.json()).toMatchObject({
      delivery: { status: 'pending', attempts: 0 },
      attempts: [],
    });

    await sql.query("UPDATE webhook_deliveries SET status = 'failed'");
    const again = await call('POST', `/admin/webhooks/deliveries/${deliveries[1]!.id}/redeliver`);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ status: 'pending' });

    const range = await call('POST', `${path}/redeliver`, {
      from: new Date(Date.now() - 60_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(range.json()).toEqual({ redelivered: 1 });

    expect((await call('GET', '/admin/webhooks/deliveries/999999')).statusCode).toBe(404);
    expect((await call('GET', '/admin/webhooks/notices')).json()).toEqual({ notices: [] });
  });
});
