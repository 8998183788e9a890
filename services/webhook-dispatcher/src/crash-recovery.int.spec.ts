import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromAgreementStreamId, toAgreementStreamId } from '@twinning/domain';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { openStorage, type Storage } from '@twinning/storage';
import {
  createSecretCipher,
  createWebhookEndpoints,
  generateEncryptionKey,
  webhookIdOf,
} from '@twinning/webhooks';
import {
  acceptanceOf,
  appendAgreement,
  coventry,
  dresden,
  kiel,
  startWebhookReceiver,
  volgograd,
  type ReceiverAnswer,
  type WebhookReceiver,
} from '@twinning/webhooks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Dispatchers as real processes against PostgreSQL, a consumer that misbehaves at random, and a
 * SIGKILL in the middle: every event still arrives at least once, in order per agreement, with
 * the same webhook-id on every copy.
 */

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const waitFor = async (
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** A small seeded generator, so a failing run can be repeated. */
const seededRandom = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

let database: TestDatabase;
let storage: Storage;
let receiver: WebhookReceiver;
const children = new Set<ChildProcess>();
const encryptionKey = generateEncryptionKey();

const startDispatcherProcess = (name: string): ChildProcess => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@twinning/source', 'src/server.ts'],
    {
      cwd: packageDir,
      env: {
        ...process.env,
        EVENT_STORE_URL: database.connectionString,
        DATABASE_POOL_SIZE: '5',
        WEBHOOK_ENCRYPTION_KEY: encryptionKey.toString('base64'),
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        WEBHOOK_RETRY_SCHEDULE: '10ms,20ms,40ms',
        WEBHOOK_RETRY_THEN_EVERY: '60ms',
        WEBHOOK_ATTEMPT_TIMEOUT: '300ms',
        WEBHOOK_POLL_INTERVAL: '100ms',
        WEBHOOK_CONCURRENCY: '8',
        PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (code !== 0 && signal === null)
      process.stderr.write(`dispatcher ${name} exited ${code}: ${errors}\n`);
  });
  children.add(child);
  return child;
};

const stopped = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

beforeAll(async () => {
  database = await createTestDatabase();
  storage = await openStorage({
    eventStore: { kind: 'postgres', url: database.connectionString },
    database: { kind: 'postgres', url: database.connectionString },
    poolSize: 5,
  });
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...children].map(stopped));
  await receiver?.close();
  await storage?.close();
  await database?.drop();
});

describe('delivery through failures and a crash', () => {
  it(
    'delivers every event at least once, in order per agreement, with stable webhook-ids',
    { timeout: 300_000 },
    async () => {
      const endpoints = await createWebhookEndpoints(storage.sql, {
        cipher: createSecretCipher(encryptionKey),
        addressPolicy: { allowHttp: true, allowedHosts: ['127.0.0.1'] },
      });
      const { secret } = await endpoints.create({ url: receiver.url }, new Date());
      receiver.acceptSecrets([secret]);

      const random = seededRandom(1944);
      const acknowledged = new Set<string>();
      receiver.answerWith((webhook): ReceiverAnswer => {
        const roll = random();
        if (roll < 0.15) return { kind: 'respond', status: 500, body: 'try later' };
        if (roll < 0.25) return { kind: 'reset' };
        if (roll < 0.35) return { kind: 'respond', status: 429, headers: { 'retry-after': '0' } };
        // Answers after the dispatcher's 300 ms timeout: processed here, a failure there.
        if (roll < 0.45) return { kind: 'respond', status: 200, delayMs: 600 };
        acknowledged.add(webhook.webhookId);
        return { kind: 'respond', status: 200 };
      });

      const pairs = [
        { proposer: coventry, partner: volgograd },
        { proposer: coventry, partner: kiel },
        { proposer: coventry, partner: dresden },
      ];
      const agreements = [];
      for (let index = 0; index < 9; index += 1) {
        agreements.push(await appendAgreement(storage.store, pairs[index % pairs.length]!, 4));
      }

      const first = startDispatcherProcess('first');
      const second = startDispatcherProcess('second');
      await waitFor(() => acknowledged.size >= 10, 120_000);
      first.kill('SIGKILL');
      await stopped(first);

      // More events while one dispatcher is gone, then a fresh one in its place.
      for (const [index, agreementId] of agreements.entries()) {
        await storage.store.appendToStream(
          toAgreementStreamId(agreementId),
          [acceptanceOf(10 + index)],
          {
            expectedRevision: 4n,
          },
        );
      }
      second.kill('SIGKILL');
      await stopped(second);
      startDispatcherProcess('third');

      const expected: string[] = [];
      for await (const event of storage.store.readAll()) expected.push(webhookIdOf(event.id));
      expect(expected).toHaveLength(9 * 6);
      await waitFor(() => expected.every((webhookId) => acknowledged.has(webhookId)), 180_000);

      // Same webhook-id, same body, on every copy.
      const bodies = new Map<string, Set<string>>();
      for (const webhook of receiver.received) {
        bodies.set(
          webhook.webhookId,
          (bodies.get(webhook.webhookId) ?? new Set()).add(webhook.body),
        );
      }
      expect([...bodies.values()].every((copies) => copies.size === 1)).toBe(true);
      expect(receiver.received.every((webhook) => webhook.verifiedWith.length === 1)).toBe(true);
      expect(receiver.received.length).toBeGreaterThan(expected.length);

      // In order per agreement: never an event before every earlier one has arrived.
      const highest = new Map<string, number>();
      for (const webhook of receiver.received) {
        const { agreementId, streamRevision } = webhook.payload.data;
        expect(fromAgreementStreamId(`agreement-${agreementId}`).ok).toBe(true);
        const revision = Number(streamRevision);
        const seen = highest.get(agreementId) ?? -1;
        expect(revision).toBeLessThanOrEqual(seen + 1);
        highest.set(agreementId, Math.max(seen, revision));
      }
      expect([...highest.values()]).toEqual(Array.from({ length: 9 }, () => 5));
    },
  );
});
