import {
  durationVariable,
  loadConfig,
  logLevelVariable,
  portVariable,
  type Environment,
  type LogLevel,
} from '@twinning/http-kit';
import {
  storageEnvironmentSchema,
  storageLocationsOf,
  type StorageLocations,
} from '@twinning/storage';
import {
  DEFAULT_RETRY_POLICY,
  loadWebhookSettings,
  webhookEnvironmentSchema,
  type RetryPolicy,
  type WebhookSettings,
} from '@twinning/webhooks';
import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;

const durationListVariable = () =>
  z.string().transform((value, context) => {
    const durations: number[] = [];
    for (const item of value.split(',')) {
      const parsed = durationVariable().safeParse(item.trim());
      if (!parsed.success) {
        context.addIssue({
          code: 'custom',
          message: 'must be a comma-separated list of durations such as 5s,5m,30m,2h',
        });
        return z.NEVER;
      }
      durations.push(parsed.data);
    }
    return durations;
  });

/** How deliveries are attempted and retried; shared by the service and standalone mode. */
export const deliveryEnvironmentSchema = z.object({
  /** Delays before the 1st, 2nd, … retry; default 5s,5m,30m,2h,5h,10h. */
  WEBHOOK_RETRY_SCHEDULE: durationListVariable().optional(),
  /** Delay between retries once the schedule is used up; default 1 day. */
  WEBHOOK_RETRY_THEN_EVERY: durationVariable().default(DAY_MS),
  WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  WEBHOOK_ATTEMPT_TIMEOUT: durationVariable().default(15_000),
  /** An endpoint failing without a single success for this long is disabled; default 5 days. */
  WEBHOOK_DISABLE_AFTER: durationVariable().default(5 * DAY_MS),
  /** Attempts in flight at once in this process. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(32),
  /** Longest an idle dispatcher waits before looking for due deliveries without being woken. */
  WEBHOOK_POLL_INTERVAL: durationVariable().default(1_000),
});

export interface DeliverySettings {
  readonly retryPolicy: RetryPolicy;
  readonly attemptTimeoutMs: number;
  readonly disableAfterMs: number;
  readonly concurrency: number;
  readonly pollIntervalMs: number;
}

export const loadDeliverySettings = (env: Environment = process.env): DeliverySettings => {
  const parsed = loadConfig(deliveryEnvironmentSchema, env);
  return {
    retryPolicy: {
      ...DEFAULT_RETRY_POLICY,
      scheduleMs: parsed.WEBHOOK_RETRY_SCHEDULE ?? DEFAULT_RETRY_POLICY.scheduleMs,
      thenEveryMs: parsed.WEBHOOK_RETRY_THEN_EVERY,
      jitter: parsed.WEBHOOK_RETRY_JITTER,
    },
    attemptTimeoutMs: parsed.WEBHOOK_ATTEMPT_TIMEOUT,
    disableAfterMs: parsed.WEBHOOK_DISABLE_AFTER,
    concurrency: parsed.WEBHOOK_CONCURRENCY,
    pollIntervalMs: parsed.WEBHOOK_POLL_INTERVAL,
  };
};

export const dispatcherEnvironmentSchema = storageEnvironmentSchema
  .extend(webhookEnvironmentSchema.shape)
  .extend(deliveryEnvironmentSchema.shape)
  .extend({
    PORT: portVariable().default(3002),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: logLevelVariable().default('info'),
  });

export interface DispatcherConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly storage: StorageLocations;
  readonly webhooks: WebhookSettings;
  readonly delivery: DeliverySettings;
}

/**
 * Reads and checks every variable at start. `WEBHOOK_ENCRYPTION_KEY` is required unless the
 * database is embedded (PGlite under `DATA_DIR`), where a key is generated and kept beside it.
 */
export const loadDispatcherConfig = async (
  env: Environment = process.env,
): Promise<DispatcherConfig> => {
  const parsed = loadConfig(dispatcherEnvironmentSchema, env);
  const storage = storageLocationsOf(parsed);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    logLevel: parsed.LOG_LEVEL,
    storage,
    webhooks: await loadWebhookSettings(
      env,
      storage.database.kind === 'pglite' ? { generatedKeyDirectory: parsed.DATA_DIR } : {},
    ),
    delivery: loadDeliverySettings(env),
  };
};
