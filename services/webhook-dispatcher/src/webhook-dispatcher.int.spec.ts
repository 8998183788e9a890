import type { LookupAddress } from 'node:dns';
import { toAgreementStreamId } from '@twinning/domain';
import { createInMemoryEventStore, type EventStore } from '@twinning/event-store';
import { createLogger } from '@twinning/http-kit';
import { createPGliteClient, type SqlClient } from '@twinning/sql';
import {
  createDeliveryLog,
  createSecretCipher,
  createWebhookEndpoints,
  generateEncryptionKey,
  webhookIdOf,
  type HostResolver,
  type WebhookEndpoints,
  type WebhookSettings,
} from '@twinning/webhooks';
import {
  acceptanceOf,
  appendAgreement,
  coventry,
  dresden,
  kiel,
  startWebhookReceiver,
  volgograd,
  type WebhookReceiver,
} from '@twinning/webhooks/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliverySettings } from './dispatcher-config.js';
import { startWebhookDispatcher, type WebhookDispatcher } from './webhook-dispatcher.js';

const waitFor = async (
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const delivery: DeliverySettings = {
  retryPolicy: { scheduleMs: [20, 40, 80], thenEveryMs: 100, jitter: 0, maxRetryAfterMs: 5_000 },
  attemptTimeoutMs: 1_000,
  disableAfterMs: 60_000,
  concurrency: 8,
  pollIntervalMs: 50,
};

const logger = createLogger({ name: 'webhook-dispatcher-test', level: 'silent' });

let sql: SqlClient;
let store: EventStore;
let receiver: WebhookReceiver;
let endpoints: WebhookEndpoints;
let settings: WebhookSettings;
let dispatcher: WebhookDispatcher | undefined;
/** What the fake DNS answers for names; IP literals need no answer. */
let dnsAnswers: Record<string, string[]>;
const resolve: HostResolver = (hostname) => {
  const addresses = dnsAnswers[hostname] ?? [];
  return Promise.resolve(addresses.map((address): LookupAddress => ({ address, family: 4 })));
};

// One embedded database for the file (it takes seconds to start), emptied before each test.
beforeAll(async () => {
  sql = await createPGliteClient();
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
  receiver = await startWebhookReceiver();
  dnsAnswers = {};
  settings = {
    encryptionKey: generateEncryptionKey(),
    addressPolicy: { allowHttp: true, allowedHosts: ['127.0.0.1'] },
    secretGracePeriodMs: 60_000,
  };
  endpoints = await createWebhookEndpoints(sql, {
    cipher: createSecretCipher(settings.encryptionKey),
    addressPolicy: settings.addressPolicy,
    resolve,
  });
});

afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  await receiver.close();
});

const startDispatcher = async (overrides: Partial<DeliverySettings> = {}): Promise<void> => {
  dispatcher = await startWebhookDispatcher({
    store,
    sql,
    webhooks: settings,
    delivery: { ...delivery, ...overrides },
    logger,
    resolve,
    followerFailoverMs: 50,
  });
};

const createEndpoint = async (
  definition: Partial<Parameters<WebhookEndpoints['create']>[0]> = {},
) => {
  const created = await endpoints.create({ url: receiver.url, ...definition }, new Date());
  receiver.acceptSecrets([created.secret]);
  return created;
};

const revisionsByAgreement = (webhooks: WebhookReceiver['received']): Map<string, number[]> => {
  const byAgreement = new Map<string, number[]>();
  for (const webhook of webhooks) {
    const { agreementId, streamRevision } = webhook.payload.data;
    byAgreement.set(agreementId, [...(byAgreement.get(agreementId) ?? []), Number(streamRevision)]);
  }
  return byAgreement;
};

describe('delivering agreement events', () => {
  it('sends each event once, signed so standardwebhooks verifies it, with the documented payload', async () => {
    await createEndpoint();
    await startDispatcher();
    const agreementId = await appendAgreement(store, { proposer: coventry, partner: volgograd }, 2);

    await waitFor(() => receiver.received.length === 3);
    const events = [];
    for await (const event of store.readStream(toAgreementStreamId(agreementId)))
      events.push(event);

    expect(receiver.received.every((webhook) => webhook.verifiedWith.length === 1)).toBe(true);
    expect(receiver.received.map((webhook) => webhook.webhookId)).toEqual(
      events.map((event) => webhookIdOf(event.id)),
    );
    const [proposal, acceptance] = receiver.received;
    expect(proposal!.payload).toMatchObject({
      type: 'agreement.proposed',
      timestamp: events[0]!.storedAt.toISOString(),
      data: {
        eventId: events[0]!.id,
        eventType: 'AgreementProposed',
        agreementId,
        streamRevision: '0',
        globalPosition: events[0]!.position.toString(),
        businessDate: '1944-01-01',
        event: { proposer: { cityId: 'gb-coventry' }, partner: { cityId: 'ru-volgograd' } },
      },
    });
    expect(acceptance!.payload).toMatchObject({
      type: 'agreement.terms_accepted',
      data: { streamRevision: '1', businessDate: '1944-02-01', event: { termsVersion: 1 } },
    });
    expect(Math.abs(Number(proposal!.timestamp) - Date.now() / 1000)).toBeLessThan(30);
  });

  it('sends only the event types and cities an endpoint asked for', async () => {
    const onlyProposals = await startWebhookReceiver();
    const onlyKiel = await startWebhookReceiver();
    try {
      const proposals = await endpoints.create(
        { url: onlyProposals.url, eventTypes: ['agreement.proposed'] },
        new Date(),
      );
      onlyProposals.acceptSecrets([proposals.secret]);
      const kielOnly = await endpoints.create(
        { url: onlyKiel.url, cityIds: ['de-kiel'] },
        new Date(),
      );
      onlyKiel.acceptSecrets([kielOnly.secret]);
      await startDispatcher();

      const coventryKiel = await appendAgreement(store, { proposer: coventry, partner: kiel }, 1);
      await appendAgreement(store, { proposer: coventry, partner: dresden }, 1);

      await waitFor(() => onlyProposals.received.length === 2 && onlyKiel.received.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(onlyProposals.received.map((webhook) => webhook.payload.type)).toEqual([
        'agreement.proposed',
        'agreement.proposed',
      ]);
      expect(onlyKiel.received.map((webhook) => webhook.payload.data.agreementId)).toEqual([
        coventryKiel,
        coventryKiel,
      ]);
    } finally {
      await onlyProposals.close();
      await onlyKiel.close();
    }
  });

  it('holds back only the failing agreement on the failing endpoint, then delivers it in order', async () => {
    await createEndpoint();
    const other = await startWebhookReceiver();
    try {
      const second = await endpoints.create({ url: other.url }, new Date());
      other.acceptSecrets([second.secret]);
      let failing = true;
      const blocked = await appendAgreement(store, { proposer: coventry, partner: volgograd }, 2);
      receiver.answerWith((webhook) =>
        failing && webhook.payload.data.agreementId === blocked
          ? { kind: 'respond', status: 503 }
          : { kind: 'respond', status: 200 },
      );
      await startDispatcher();
      const flowing = await appendAgreement(store, { proposer: coventry, partner: kiel }, 2);

      await waitFor(
        () => (revisionsByAgreement(receiver.received).get(flowing) ?? []).length === 3,
      );
      await waitFor(() => other.received.length === 6);
      // Only the first event of the blocked agreement was tried, again and again.
      expect(new Set(revisionsByAgreement(receiver.received).get(blocked))).toEqual(new Set([0]));

      failing = false;
      await waitFor(() => new Set(revisionsByAgreement(receiver.received).get(blocked)).size === 3);
      const blockedRevisions = revisionsByAgreement(receiver.received).get(blocked)!;
      expect(blockedRevisions.filter((revision) => revision > 0)).toEqual([1, 2]);
      const proposalId = receiver.received.find(
        (webhook) => webhook.payload.data.agreementId === blocked,
      )!.webhookId;
      expect(
        receiver.received
          .filter(
            (webhook) =>
              webhook.payload.data.agreementId === blocked &&
              webhook.payload.data.streamRevision === '0',
          )
          .every((webhook) => webhook.webhookId === proposalId),
      ).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('waits as long as Retry-After asks', async () => {
    await createEndpoint();
    let answered429At: number | undefined;
    receiver.answerWith(() => {
      if (answered429At === undefined) {
        answered429At = Date.now();
        return { kind: 'respond', status: 429, headers: { 'retry-after': '1' } };
      }
      return { kind: 'respond', status: 200 };
    });
    await startDispatcher();
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 0);
    await waitFor(() => receiver.received.length === 2);
    expect(receiver.received[1]!.receivedAt - answered429At!).toBeGreaterThanOrEqual(950);
  });

  it('treats a redirect as a failure and never follows it', async () => {
    await createEndpoint();
    const target = await startWebhookReceiver();
    try {
      receiver.answerWith(() => ({
        kind: 'respond',
        status: 307,
        headers: { location: target.url },
      }));
      await startDispatcher({ retryPolicy: { ...delivery.retryPolicy, scheduleMs: [5_000] } });
      await appendAgreement(store, { proposer: coventry, partner: kiel }, 0);
      await waitFor(() => receiver.received.length === 1);
      const log = createDeliveryLog(sql, store);
      const [endpoint] = await endpoints.list();
      await waitFor(async () => (await log.list(endpoint!.id, { limit: 10 }))[0]?.attempts === 1);
      const [pending] = await log.list(endpoint!.id, { limit: 10 });
      const { attempts } = await log.get(pending!.id);
      expect(pending!.status).toBe('pending');
      expect(attempts).toMatchObject([{ outcome: 'failed', statusCode: 307 }]);
      expect(target.received).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});

describe('endpoint health', () => {
  it('disables an endpoint that answers 410 Gone, and keeps an endpoint.disabled notice', async () => {
    const { endpoint } = await createEndpoint();
    receiver.answerWith(() => ({ kind: 'respond', status: 410, body: 'gone for good' }));
    await startDispatcher();
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 3);

    await waitFor(async () => (await endpoints.get(endpoint.id)).status === 'disabled');
    expect(await endpoints.get(endpoint.id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'the endpoint answered 410 Gone',
    });
    expect(await endpoints.notices(10)).toMatchObject([
      {
        endpointId: endpoint.id,
        type: 'endpoint.disabled',
        reason: 'the endpoint answered 410 Gone',
      },
    ]);
    const log = createDeliveryLog(sql, store);
    const deliveries = await log.list(endpoint.id, { limit: 10 });
    expect(deliveries.map((entry) => entry.status)).toEqual([
      'failed',
      'failed',
      'failed',
      'failed',
    ]);
    const first = deliveries.at(-1)!;
    expect((await log.get(first.id)).attempts).toMatchObject([
      { outcome: 'gone', statusCode: 410, responseExcerpt: 'gone for good' },
    ]);
    expect(receiver.received).toHaveLength(1);
  });

  it('disables an endpoint failing continuously for the configured time', async () => {
    const { endpoint } = await createEndpoint();
    receiver.answerWith(() => ({ kind: 'reset' }));
    await startDispatcher({ disableAfterMs: 300 });
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 0);
    await waitFor(async () => (await endpoints.get(endpoint.id)).status === 'disabled');
    expect((await endpoints.get(endpoint.id)).disabledReason).toMatch(/every delivery failed/);
    expect(receiver.received.length).toBeGreaterThan(1);
  });

  it('logs every attempt with status, duration and a response excerpt of at most 1 KiB', async () => {
    const { endpoint } = await createEndpoint();
    let calls = 0;
    receiver.answerWith(() => {
      calls += 1;
      return calls === 1
        ? { kind: 'respond', status: 500, body: 'x'.repeat(5_000) }
        : { kind: 'respond', status: 200, body: 'thanks' };
    });
    await startDispatcher();
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 0);
    const log = createDeliveryLog(sql, store);
    await waitFor(
      async () => (await log.list(endpoint.id, { limit: 1 }))[0]?.status === 'delivered',
    );
    const [delivered] = await log.list(endpoint.id, { limit: 1 });
    const { attempts } = await log.get(delivered!.id);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', statusCode: 500, error: null });
    expect(attempts[0]!.responseExcerpt).toHaveLength(1024);
    expect(attempts[1]).toMatchObject({
      outcome: 'delivered',
      statusCode: 200,
      responseExcerpt: 'thanks',
    });
    expect(attempts.every((attempt) => attempt.durationMs >= 0)).toBe(true);
    expect(delivered).toMatchObject({ attempts: 2, webhookId: receiver.received[0]!.webhookId });
  });

  it('refuses at connect time a name that has come to resolve to a private address', async () => {
    settings = { ...settings, addressPolicy: { allowHttp: true, allowedHosts: [] } };
    endpoints = await createWebhookEndpoints(sql, {
      cipher: createSecretCipher(settings.encryptionKey),
      addressPolicy: settings.addressPolicy,
      resolve,
    });
    dnsAnswers['hooks.example.org'] = ['93.184.216.34'];
    const port = new URL(receiver.url).port;
    const { endpoint } = await endpoints.create(
      { url: `http://hooks.example.org:${port}/hooks` },
      new Date(),
    );
    dnsAnswers['hooks.example.org'] = ['127.0.0.1'];
    await startDispatcher({ retryPolicy: { ...delivery.retryPolicy, scheduleMs: [5_000] } });
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 0);

    const log = createDeliveryLog(sql, store);
    await waitFor(async () => (await log.list(endpoint.id, { limit: 1 }))[0]?.attempts === 1);
    const [attempted] = await log.list(endpoint.id, { limit: 1 });
    expect((await log.get(attempted!.id)).attempts[0]!.error).toMatch(
      /127\.0\.0\.1, a loopback address: refused/,
    );
    expect(receiver.received).toHaveLength(0);
  });
});

describe('secrets, redelivery and back-fill', () => {
  it('signs with the new and the old secret during a rotation’s grace period', async () => {
    const { endpoint, secret: first } = await createEndpoint();
    await startDispatcher();
    const rotated = await endpoints.rotateSecret(endpoint.id, 60_000, new Date());
    receiver.acceptSecrets([first, rotated.secret]);
    await new Promise((resolve) => setTimeout(resolve, 5_100)); // outlive the signing-key cache
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 0);
    await waitFor(() => receiver.received.length === 1);
    expect(receiver.received[0]!.verifiedWith).toEqual([first, rotated.secret]);
    expect(rotated.endpoint.secrets).toHaveLength(2);

    await endpoints.rotateSecret(endpoint.id, 0, new Date());
    expect((await endpoints.get(endpoint.id)).secrets).toHaveLength(1);
  });

  it('redelivers one delivery, or a time range, with the same webhook-id', async () => {
    const { endpoint } = await createEndpoint();
    await startDispatcher();
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 1);
    await waitFor(() => receiver.received.length === 2);
    const log = createDeliveryLog(sql, store);
    const deliveries = await log.list(endpoint.id, { limit: 10 });

    const again = await log.redeliver(deliveries[1]!.id, new Date());
    expect(again.status).toBe('pending');
    await waitFor(() => receiver.received.length === 3);
    expect(receiver.received[2]!.webhookId).toBe(receiver.received[0]!.webhookId);

    const hourAgo = new Date(Date.now() - 3_600_000);
    const count = await log.redeliverRange(
      endpoint.id,
      { from: hourAgo, to: new Date(Date.now() + 1_000), statuses: ['delivered'] },
      new Date(),
    );
    expect(count).toBe(2);
    await waitFor(() => receiver.received.length === 5);
    expect(
      receiver.received.slice(3).map((webhook) => webhook.payload.data.streamRevision),
    ).toEqual(['0', '1']);
  });

  it('back-fills a new endpoint from a chosen position', async () => {
    await startDispatcher();
    await appendAgreement(store, { proposer: coventry, partner: kiel }, 1);
    const second = await appendAgreement(store, { proposer: coventry, partner: dresden }, 1);
    const log = createDeliveryLog(sql, store);
    await waitFor(async () => {
      const { rows } = await sql.query<{ position: string }>(
        'SELECT position FROM webhook_checkpoints',
      );
      return rows[0]?.position === '4';
    });
    const { endpoint } = await createEndpoint({ cityIds: ['de-dresden'] });
    const report = await log.backfill(endpoint.id, 2n, new Date());
    expect(report).toEqual({ recorded: 2, upToPosition: 4n });
    await waitFor(() => receiver.received.length === 2);
    expect(
      receiver.received.map((webhook) => [
        webhook.payload.data.agreementId,
        webhook.payload.data.streamRevision,
      ]),
    ).toEqual([
      [second, '0'],
      [second, '1'],
    ]);
    expect(await log.backfill(endpoint.id, 1n, new Date())).toEqual({
      recorded: 0,
      upToPosition: 4n,
    });
    await store.appendToStream(toAgreementStreamId(second), [acceptanceOf(2)], {
      expectedRevision: 1n,
    });
    await waitFor(() => receiver.received.length === 3);
  });
});
