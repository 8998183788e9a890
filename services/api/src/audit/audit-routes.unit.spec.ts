import { checkNdjsonExport } from '@twinning/audit';
import { recordLateSignatureStory } from '@twinning/audit/testing';
import type { CityId } from '@twinning/domain';
import { createInMemoryEventStore, type EventStore } from '@twinning/event-store';
import { createLogger, type HttpApp } from '@twinning/http-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createTokenVerifier, loadAuthConfig, mintDevToken } from '../auth/index.js';
import type { MunicipalityDirectory } from '../municipalities/municipality-directory.js';

const noMunicipalities: MunicipalityDirectory = {
  citiesWithClerks: (cityIds: readonly CityId[]) => Promise.resolve(cityIds),
  recordClerk: () => Promise.resolve(),
  list: () => Promise.resolve([]),
  set: () => Promise.reject(new Error('not used by the audit routes')),
};

let store: EventStore;
let app: HttpApp;
let agreementId: string;

beforeEach(async () => {
  store = createInMemoryEventStore();
  agreementId = (await recordLateSignatureStory(store)).id;
  app = await buildApp({
    store,
    municipalities: noMunicipalities,
    verifier: createTokenVerifier(loadAuthConfig({ AUTH_MODE: 'dev' })),
    logger: createLogger({ name: 'twinning-api', level: 'silent' }),
  });
});
afterEach(() => app.close());

const tokenFor = (role: 'auditor' | 'admin' | 'clerk') =>
  mintDevToken({
    subject: `${role}@example.org`,
    name: role,
    roles: [role],
    ...(role === 'clerk' ? { municipality: 'gb-coventry' } : {}),
  });

const get = async (url: string, role: 'auditor' | 'admin' | 'clerk' | 'anonymous' = 'auditor') =>
  app.inject({
    method: 'GET',
    url,
    headers: role === 'anonymous' ? {} : { authorization: `Bearer ${await tokenFor(role)}` },
  });

describe('who may audit', () => {
  it('lets auditors in and keeps clerks, admins and the anonymous out', async () => {
    const url = `/audit/agreements/${agreementId}/state`;
    expect((await get(url, 'auditor')).statusCode).toBe(200);
    const clerk = await get(url, 'clerk');
    expect(clerk.statusCode).toBe(403);
    expect(clerk.headers['content-type']).toContain('application/problem+json');
    expect((await get(url, 'admin')).statusCode).toBe(403);
    expect((await get(url, 'anonymous')).statusCode).toBe(401);
    expect((await get('/audit/in-force?on=2024-03-01', 'admin')).statusCode).toBe(403);
    expect((await get(`/audit/agreements/${agreementId}/export`, 'clerk')).statusCode).toBe(403);
  });
});

describe('replay over HTTP', () => {
  it('answers as in force on a date, as known now and as known earlier', async () => {
    const now = await get(`/audit/agreements/${agreementId}/state?inForceOn=2024-02-10`);
    expect(now.json()).toMatchObject({
      inForce: true,
      machineVersion: 1,
      agreement: { lifecycleState: 'active' },
    });
    const earlier = await get(
      `/audit/agreements/${agreementId}/state?inForceOn=2024-02-10&knownAt=2024-02-15T00:00:00Z`,
    );
    expect(earlier.json()).toMatchObject({
      inForce: false,
      revision: '6',
      agreement: { lifecycleState: 'partially_signed' },
      point: { kind: 'in_force', on: '2024-02-10', knownAt: '2024-02-15T00:00:00.000Z' },
    });
    const byRevision = await get(`/audit/agreements/${agreementId}/state?revision=0`);
    expect(byRevision.json()).toMatchObject({ agreement: { lifecycleState: 'proposed' } });
  });

  it('gives typed problems for questions that cannot be answered', async () => {
    const both = await get(
      `/audit/agreements/${agreementId}/state?revision=1&inForceOn=2024-01-01`,
    );
    expect(both.statusCode).toBe(400);
    const badDate = await get(`/audit/agreements/${agreementId}/state?inForceOn=2024-13-01`);
    expect(badDate.statusCode).toBe(400);
    const missingRevision = await get(`/audit/agreements/${agreementId}/state?revision=99`);
    expect(missingRevision.statusCode).toBe(404);
    expect(missingRevision.json()).toMatchObject({ code: 'TWN_ERR_REVISION_NOT_FOUND' });
    const unknown = await get('/audit/agreements/11111111-2222-4333-8444-555555555555/state');
    expect(unknown.statusCode).toBe(404);
    const unknownExport = await get(
      '/audit/agreements/11111111-2222-4333-8444-555555555555/export',
    );
    expect(unknownExport.statusCode).toBe(404);
  });

  it('shows one event side by side with its actor, reason, correlation and causation', async () => {
    const response = await get(`/audit/agreements/${agreementId}/changes/10`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      revision: '10',
      type: 'AgreementSuspended',
      reason: 'council vote on relations',
      actor: { role: 'clerk', municipality: 'gb-coventry' },
      correlationId: 'correlation-9',
      causationId: 'request-9',
      before: { lifecycleState: 'active' },
      after: { lifecycleState: 'suspended' },
    });
  });

  it('lists the partnerships in force on a date, bitemporally', async () => {
    const now = (await get('/audit/in-force?on=2024-02-10')).json<{ count: number }>();
    expect(now).toMatchObject({
      count: 1,
      partnerships: [{ agreementId, inForceFrom: '2024-02-05' }],
    });
    const earlier = await get('/audit/in-force?on=2024-02-10&knownAt=2024-02-15T00:00:00Z');
    expect(earlier.json()).toMatchObject({ count: 0, partnerships: [] });
  });
});

describe('verification and export over HTTP', () => {
  it('verifies an agreement and the log, and compares a written-down digest', async () => {
    expect((await get(`/audit/agreements/${agreementId}/verification`)).json()).toMatchObject({
      intact: true,
      events: 12,
      firstBreak: null,
    });
    const whole = (await get('/audit/verification')).json<{
      digest: { position: string; digest: string };
    }>();
    expect(whole).toMatchObject({ intact: true, digest: { events: 12 }, digestMatches: null });
    const { position, digest } = whole.digest;
    const again = await get(`/audit/verification?at=${position}&digest=${digest}`);
    expect(again.json()).toMatchObject({ digestMatches: true });
    const other = await get(`/audit/verification?at=${position}&digest=${'0'.repeat(64)}`);
    expect(other.json()).toMatchObject({ digestMatches: false });
    expect((await get(`/audit/verification?digest=${digest}`)).statusCode).toBe(400);
  });

  it('streams an agreement as NDJSON that checks out offline, and as CSV', async () => {
    const ndjson = await get(`/audit/agreements/${agreementId}/export`);
    expect(ndjson.statusCode).toBe(200);
    expect(ndjson.headers['content-type']).toBe('application/x-ndjson');
    const check = await checkNdjsonExport(ndjson.body.split('\n'));
    expect(check).toMatchObject({ ok: true, events: 12 });
    const csv = await get(`/audit/agreements/${agreementId}/export?format=csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n')[0]).toMatch(/^"record","position","stream_id"/);
  });

  it('streams the events recorded in a time range with the log digest', async () => {
    const response = await get(
      '/audit/export?recordedFrom=2024-06-01T00:00:00Z&recordedTo=2025-01-01T00:00:00Z',
    );
    const records = response.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { record: string; type?: string });
    expect(records.map((record) => record.type ?? record.record)).toEqual([
      'AgreementSuspended',
      'AgreementReinstated',
      'trailer',
    ]);
    const reversed = await get(
      '/audit/export?recordedFrom=2025-01-01T00:00:00Z&recordedTo=2024-06-01T00:00:00Z',
    );
    expect(reversed.statusCode).toBe(400);
  });
});
