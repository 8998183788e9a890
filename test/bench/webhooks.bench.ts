/**
 * Webhook delivery benchmarks (issue: webhooks).
 *
 *   pnpm --filter @twinning/e2e-tests exec tsx --conditions=@twinning/source bench/webhooks.bench.ts
 *   BENCH_EVENTS=2000 BENCH_LATENCY_SECONDS=20 …
 *
 * Against the local PostgreSQL (event store and webhook tables), one dispatcher in this process,
 * and a receiver on 127.0.0.1 that answers 204 at once:
 * - throughput: events appended first, then the time for the dispatcher to deliver them all, to
 *   1 endpoint and to 50 endpoints (every event goes to every endpoint);
 * - latency: events appended one at a time at a steady rate, each timed from the append's return
 *   to its arrival at the receiver.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@twinning/http-kit';
import { createTestDatabase, type TestDatabase } from '@twinning/sql/testing';
import { openStorage, type Storage } from '@twinning/storage';
import { startWebhookDispatcher, type DeliverySettings } from '@twinning/webhook-dispatcher';
import {
  createSecretCipher,
  createWebhookEndpoints,
  generateEncryptionKey,
  type WebhookSettings,
} from '@twinning/webhooks';
import { appendAgreement, acceptanceOf, coventry, kiel } from '@twinning/webhooks/testing';
import { toAgreementStreamId } from '@twinning/domain';
import {
  formatRate,
  machineLine,
  percentile,
  printTable,
  seconds,
} from './support/bench-report.js';

const totalEvents = Number(process.env['BENCH_EVENTS'] ?? '1000');
const latencySeconds = Number(process.env['BENCH_LATENCY_SECONDS'] ?? '10');
const EVENTS_PER_AGREEMENT = 10;

const settings: WebhookSettings = {
  encryptionKey: generateEncryptionKey(),
  addressPolicy: { allowHttp: true, allowedHosts: ['127.0.0.1'] },
  secretGracePeriodMs: 0,
};
const delivery: DeliverySettings = {
  retryPolicy: {
    scheduleMs: [100, 200, 400],
    thenEveryMs: 1_000,
    jitter: 0.2,
    maxRetryAfterMs: 1_000,
  },
  attemptTimeoutMs: 5_000,
  disableAfterMs: 3_600_000,
  concurrency: 64,
  pollIntervalMs: 200,
};

/** Counts arrivals by webhook-id; answers 204 at once. */
const startCountingReceiver = async (onArrival: (webhookId: string) => void) => {
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const webhookId = request.headers['webhook-id'];
      if (typeof webhookId === 'string') onArrival(webhookId);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const withSystem = async <T>(work: (storage: Storage) => Promise<T>): Promise<T> => {
  const database: TestDatabase = await createTestDatabase();
  const storage = await openStorage({
    eventStore: { kind: 'postgres', url: database.connectionString },
    database: { kind: 'postgres', url: database.connectionString },
    poolSize: 20,
  });
  try {
    return await work(storage);
  } finally {
    await storage.close();
    await database.drop();
  }
};

const logger = createLogger({ name: 'webhooks-bench', level: 'warn' });

const waitUntil = async (condition: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('benchmark did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const throughput = async (
  endpointCount: number,
): Promise<{ deliveries: number; perSecond: number }> =>
  withSystem(async (storage) => {
    let arrived = 0;
    const receiver = await startCountingReceiver(() => {
      arrived += 1;
    });
    try {
      const endpoints = await createWebhookEndpoints(storage.sql, {
        cipher: createSecretCipher(settings.encryptionKey),
        addressPolicy: settings.addressPolicy,
      });
      for (let index = 0; index < endpointCount; index += 1) {
        await endpoints.create({ url: receiver.url }, new Date());
      }
      const events = Math.max(EVENTS_PER_AGREEMENT, Math.round(totalEvents / endpointCount));
      for (let appended = 0; appended < events; appended += EVENTS_PER_AGREEMENT) {
        await appendAgreement(
          storage.store,
          { proposer: coventry, partner: kiel },
          EVENTS_PER_AGREEMENT - 1,
        );
      }
      const expected =
        Math.ceil(events / EVENTS_PER_AGREEMENT) * EVENTS_PER_AGREEMENT * endpointCount;
      const start = process.hrtime.bigint();
      const dispatcher = await startWebhookDispatcher({
        store: storage.store,
        sql: storage.sql,
        webhooks: settings,
        delivery,
        logger,
      });
      try {
        await waitUntil(() => arrived >= expected, 600_000);
        return { deliveries: expected, perSecond: expected / seconds(start) };
      } finally {
        await dispatcher.stop();
      }
    } finally {
      await receiver.close();
    }
  });

const latency = async (): Promise<{ samples: number; p50: number; p99: number; max: number }> =>
  withSystem(async (storage) => {
    const appendedAt = new Map<string, bigint>();
    const latencies: number[] = [];
    const receiver = await startCountingReceiver((webhookId) => {
      const started = appendedAt.get(webhookId);
      if (started === undefined) return;
      appendedAt.delete(webhookId);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    });
    const endpoints = await createWebhookEndpoints(storage.sql, {
      cipher: createSecretCipher(settings.encryptionKey),
      addressPolicy: settings.addressPolicy,
    });
    await endpoints.create({ url: receiver.url }, new Date());
    const dispatcher = await startWebhookDispatcher({
      store: storage.store,
      sql: storage.sql,
      webhooks: settings,
      delivery,
      logger,
    });
    try {
      const agreements = await Promise.all(
        Array.from({ length: 10 }, () =>
          appendAgreement(storage.store, { proposer: coventry, partner: kiel }, 0),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      latencies.length = 0;
      const revisions = agreements.map(() => 0n);
      const deadline = Date.now() + latencySeconds * 1000;
      let sequence = 0;
      while (Date.now() < deadline) {
        const index = sequence % agreements.length;
        const event = acceptanceOf(sequence + 1);
        await storage.store.appendToStream(toAgreementStreamId(agreements[index]!), [event], {
          expectedRevision: revisions[index]!,
        });
        appendedAt.set(`msg_${event.id}`, process.hrtime.bigint());
        revisions[index] = revisions[index]! + 1n;
        sequence += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await waitUntil(() => appendedAt.size === 0, 60_000);
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        samples: sorted.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
      };
    } finally {
      await dispatcher.stop();
      await receiver.close();
    }
  });

const main = async (): Promise<void> => {
  process.stdout.write(`Webhook delivery, local PostgreSQL, ${machineLine()}\n`);
  const rows: string[][] = [];
  for (const endpointCount of [1, 50]) {
    const result = await throughput(endpointCount);
    rows.push([String(endpointCount), formatRate(result.deliveries), formatRate(result.perSecond)]);
  }
  printTable(
    'Deliveries per second (catch-up, receiver answers 204)',
    ['Endpoints', 'Deliveries', 'Deliveries/s'],
    rows,
  );

  const timing = await latency();
  printTable(
    'Append to delivery, one healthy endpoint (~50 events/s)',
    ['Samples', 'p50 (ms)', 'p99 (ms)', 'max (ms)'],
    [[String(timing.samples), timing.p50.toFixed(1), timing.p99.toFixed(1), timing.max.toFixed(1)]],
  );
};

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
