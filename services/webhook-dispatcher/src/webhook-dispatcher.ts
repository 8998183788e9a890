import type { EventStore } from '@twinning/event-store';
import type { AppMetrics } from '@twinning/http-kit';
import type { SqlClient } from '@twinning/sql';
import {
  createSecretCipher,
  createWebhookEndpoints,
  DELIVERIES_CHANNEL,
  pendingDeliveryCount,
  type HostResolver,
  type WebhookSettings,
} from '@twinning/webhooks';
import type { Logger } from 'pino';
import { startDeliveryWorker } from './delivery-worker.js';
import type { DeliverySettings } from './dispatcher-config.js';
import { startLogFollower } from './log-follower.js';
import { createWebhookSender } from './webhook-sender.js';

export interface WebhookDispatcherOptions {
  readonly store: EventStore;
  readonly sql: SqlClient;
  readonly webhooks: WebhookSettings;
  readonly delivery: DeliverySettings;
  readonly logger: Logger;
  /** Where the dispatcher's metrics go: the service's own app, or the standalone app. */
  readonly metrics?: AppMetrics;
  readonly now?: () => Date;
  /** Name resolution for endpoint hosts; tests inject one to simulate DNS answers. */
  readonly resolve?: HostResolver;
  readonly random?: () => number;
  /** How often a standby dispatcher tries to become the log follower; 2 s by default. */
  readonly followerFailoverMs?: number;
}

export interface WebhookDispatcher {
  /** Whether this process currently follows the log (one process does, cluster-wide). */
  isFollower(): boolean;
  stop(): Promise<void>;
}

const registerMetrics = (metrics: AppMetrics, sql: SqlClient) => ({
  deliveries: metrics.counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (delivered, failed, gone).',
    labelNames: ['outcome'],
  }),
  attemptDuration: metrics.histogram({
    name: 'webhook_attempt_duration_seconds',
    help: 'Time from sending a webhook to the end of the response, by outcome.',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  disabledEndpoints: metrics.counter({
    name: 'webhook_endpoints_disabled_total',
    help: 'Endpoints this process disabled (410 Gone, or failing for too long).',
  }),
  lag: metrics.gauge({
    name: 'webhook_follower_lag_seconds',
    help: 'Age of the last event the follower recorded deliveries for, when it recorded them.',
  }),
  checkpoint: metrics.gauge({
    name: 'webhook_follower_checkpoint',
    help: 'Global position up to which the follower has recorded deliveries.',
  }),
  pending: metrics.gauge({
    name: 'webhook_pending_deliveries',
    help: 'Deliveries waiting for a first attempt or a retry, across all dispatchers.',
    async collect() {
      this.set(await pendingDeliveryCount(sql));
    },
  }),
});

/**
 * The dispatcher: a log follower (active in one process at a time) that records deliveries, and a
 * worker that leases due deliveries and sends them. Several processes can run it side by side.
 */
export const startWebhookDispatcher = async (
  options: WebhookDispatcherOptions,
): Promise<WebhookDispatcher> => {
  const now = options.now ?? (() => new Date());
  const endpoints = await createWebhookEndpoints(options.sql, {
    cipher: createSecretCipher(options.webhooks.encryptionKey),
    addressPolicy: options.webhooks.addressPolicy,
    ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
  });
  const metrics =
    options.metrics === undefined ? undefined : registerMetrics(options.metrics, options.sql);
  const sender = createWebhookSender({
    addressPolicy: options.webhooks.addressPolicy,
    ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
    maxSocketsPerHost: options.delivery.concurrency,
  });
  const worker = startDeliveryWorker({
    sql: options.sql,
    endpoints,
    sender,
    settings: options.delivery,
    logger: options.logger,
    now,
    ...(options.random === undefined ? {} : { random: options.random }),
    onAttempt: ({ outcome, durationMs, disabledEndpoint }) => {
      metrics?.deliveries.inc({ outcome });
      metrics?.attemptDuration.observe({ outcome }, durationMs / 1000);
      if (disabledEndpoint) metrics?.disabledEndpoints.inc();
    },
  });
  // Other processes record deliveries and redeliveries too; their commits notify this channel.
  const unlisten = await options.sql.listen(DELIVERIES_CHANNEL, () => worker.wake());
  const follower = startLogFollower({
    store: options.store,
    sql: options.sql,
    logger: options.logger,
    now,
    lockRetryMs: options.followerFailoverMs ?? 2_000,
    onRecorded: () => worker.wake(),
    onProgress: ({ position, lastEventStoredAt }) => {
      metrics?.checkpoint.set(Number(position));
      if (lastEventStoredAt !== undefined) {
        metrics?.lag.set(Math.max(0, (now().getTime() - lastEventStoredAt.getTime()) / 1000));
      }
    },
  });

  return {
    isFollower: () => follower.isLeader(),
    async stop() {
      await follower.stop();
      await worker.stop();
      await unlisten();
      sender.close();
    },
  };
};
