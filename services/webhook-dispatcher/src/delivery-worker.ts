import type { SqlClient } from '@twinning/sql';
import {
  claimDueDeliveries,
  finishAttempt,
  nextDueAt,
  outcomeOf,
  planAfterFailure,
  webhookHeadersOf,
  webhookIdOf,
  type AttemptConsequence,
  type AttemptOutcome,
  type ClaimedDelivery,
  type WebhookEndpoints,
} from '@twinning/webhooks';
import type { Logger } from 'pino';
import type { DeliverySettings } from './dispatcher-config.js';
import type { WebhookSender } from './webhook-sender.js';

export interface DeliveryWorkerOptions {
  readonly sql: SqlClient;
  readonly endpoints: WebhookEndpoints;
  readonly sender: WebhookSender;
  readonly settings: DeliverySettings;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly random?: () => number;
  readonly onAttempt?: (attempt: {
    outcome: AttemptOutcome;
    durationMs: number;
    disabledEndpoint: boolean;
  }) => void;
}

export interface DeliveryWorker {
  /** Look for due deliveries now (new ones recorded, a notification, a finished attempt). */
  wake(): void;
  /** Stops claiming, waits for attempts in flight to be recorded. */
  stop(): Promise<void>;
}

/** Signing keys change only on rotation; a short cache saves a query and a decryption per attempt. */
const KEY_CACHE_MS = 5_000;
/** Extra lease time beyond the attempt timeout, for recording the attempt. */
const LEASE_MARGIN_MS = 30_000;
/** Never poll in a tight loop, whatever the clocks say. */
const MIN_IDLE_MS = 5;

export const startDeliveryWorker = (options: DeliveryWorkerOptions): DeliveryWorker => {
  const { settings, logger } = options;
  const inFlight = new Set<Promise<void>>();
  const keyCache = new Map<string, { keys: readonly Buffer[]; until: number }>();
  let stopped = false;
  let woken = false;
  let wakeSleeper: (() => void) | undefined;

  const wake = (): void => {
    woken = true;
    wakeSleeper?.();
  };

  const signingKeysOf = async (endpointId: string, now: Date): Promise<readonly Buffer[]> => {
    const cached = keyCache.get(endpointId);
    if (cached !== undefined && cached.until > now.getTime()) return cached.keys;
    const keys = (await options.endpoints.signingKeys([endpointId], now)).get(endpointId) ?? [];
    keyCache.set(endpointId, { keys, until: now.getTime() + KEY_CACHE_MS });
    return keys;
  };

  const attempt = async (claimed: ClaimedDelivery): Promise<void> => {
    const attemptedAt = options.now();
    const keys = await signingKeysOf(claimed.endpointId, attemptedAt);
    const webhookId = webhookIdOf(claimed.eventId);
    const response =
      keys.length === 0
        ? {
            result: { kind: 'error' as const, error: 'the endpoint has no signing secret' },
            statusCode: null,
            responseExcerpt: null,
            error: 'the endpoint has no signing secret',
            durationMs: 0,
          }
        : await options.sender.send({
            url: claimed.url,
            headers: webhookHeadersOf(keys, {
              id: webhookId,
              timestampSeconds: Math.floor(attemptedAt.getTime() / 1000),
              body: claimed.body,
            }),
            body: claimed.body,
            timeoutMs: settings.attemptTimeoutMs,
          });
    const outcome = outcomeOf(response.result);
    let consequence: AttemptConsequence;
    switch (outcome) {
      case 'delivered':
        consequence = { kind: 'delivered' };
        break;
      case 'gone':
        consequence = { kind: 'disable', reason: 'the endpoint answered 410 Gone' };
        break;
      case 'failed': {
        const failedAt = options.now();
        consequence = planAfterFailure({
          policy: settings.retryPolicy,
          failedAttempts: claimed.attempts + 1,
          failingSince: claimed.failingSince ?? attemptedAt,
          disableAfterMs: settings.disableAfterMs,
          now: failedAt,
          retryAfter: response.result.kind === 'response' ? response.result.retryAfter : undefined,
          ...(options.random === undefined ? {} : { random: options.random }),
        });
        break;
      }
      default: {
        const _exhaustive: never = outcome;
        return _exhaustive;
      }
    }
    const finished = await finishAttempt(
      options.sql,
      claimed,
      {
        attemptedAt,
        outcome,
        statusCode: response.statusCode,
        durationMs: response.durationMs,
        responseExcerpt: response.responseExcerpt,
        error: response.error,
      },
      consequence,
    );
    const log = {
      deliveryId: claimed.id,
      endpointId: claimed.endpointId,
      webhookId,
      attempt: claimed.attempts + 1,
      statusCode: response.statusCode,
      durationMs: response.durationMs,
      ...(response.error === null ? {} : { error: response.error }),
    };
    if (outcome === 'delivered') logger.debug(log, 'webhook delivered');
    else if (consequence.kind === 'retry') {
      logger.info({ ...log, retryAt: consequence.at.toISOString() }, 'webhook attempt failed');
    }
    if (finished.disabledEndpoint && consequence.kind === 'disable') {
      logger.warn(
        { endpointId: claimed.endpointId, reason: consequence.reason, notice: 'endpoint.disabled' },
        'webhook endpoint disabled',
      );
    }
    options.onAttempt?.({
      outcome,
      durationMs: response.durationMs,
      disabledEndpoint: finished.disabledEndpoint,
    });
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (woken || stopped) {
        resolve();
        return;
      }
      const timer = setTimeout(finish, Math.max(0, ms));
      function finish(): void {
        clearTimeout(timer);
        wakeSleeper = undefined;
        resolve();
      }
      wakeSleeper = finish;
    });

  const run = async (): Promise<void> => {
    while (!stopped) {
      woken = false;
      let idleMs = settings.pollIntervalMs;
      try {
        const capacity = settings.concurrency - inFlight.size;
        // Under load, claim in batches (a quarter of the slots at least), not one row per query.
        if (
          capacity > 0 &&
          (inFlight.size === 0 || capacity >= Math.ceil(settings.concurrency / 4))
        ) {
          const now = options.now();
          const claimed = await claimDueDeliveries(options.sql, {
            limit: capacity,
            now,
            leaseMs: settings.attemptTimeoutMs + LEASE_MARGIN_MS,
          });
          for (const delivery of claimed) {
            const running: Promise<void> = attempt(delivery)
              .catch((error: unknown) => {
                // The lease lapses and another attempt follows: at least once, never lost.
                logger.error(
                  { err: error, deliveryId: delivery.id },
                  'recording a webhook attempt failed',
                );
              })
              .finally(() => {
                inFlight.delete(running);
                wake();
              });
            inFlight.add(running);
          }
          if (claimed.length === capacity) continue;
          if (inFlight.size === 0 || claimed.length === 0) {
            const due = await nextDueAt(options.sql);
            if (due !== undefined) {
              idleMs = Math.max(
                MIN_IDLE_MS,
                Math.min(idleMs, due.getTime() - options.now().getTime()),
              );
            }
          }
        }
      } catch (error) {
        logger.warn({ err: error }, 'claiming webhook deliveries failed; retrying');
      }
      await sleep(idleMs);
    }
  };

  const running = run();
  return {
    wake,
    async stop() {
      stopped = true;
      wakeSleeper?.();
      await running;
      await Promise.allSettled([...inFlight]);
    },
  };
};
