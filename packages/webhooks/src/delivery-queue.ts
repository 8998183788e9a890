import { randomUUID } from 'node:crypto';
import type { SqlClient } from '@twinning/sql';
import type { AttemptOutcome } from './retry-policy.js';

/** A delivery a dispatcher has leased and is about to attempt. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly endpointId: string;
  readonly url: string;
  readonly eventId: string;
  readonly streamId: string;
  readonly position: bigint;
  readonly body: string;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly failingSince: Date | null;
  readonly leaseToken: string;
}

export interface ClaimOptions {
  readonly limit: number;
  readonly now: Date;
  /** How long the lease lasts: longer than an attempt can take, so only a crash lets it lapse. */
  readonly leaseMs: number;
}

interface ClaimedRow {
  id: string;
  endpoint_id: string;
  url: string;
  event_id: string;
  stream_id: string;
  position: string;
  body: string;
  attempts: number;
  failing_since: Date | null;
}

/**
 * Leases due deliveries. Several dispatchers may claim at once: `FOR UPDATE SKIP LOCKED` hands
 * each row to one of them, and the lease keeps it theirs after the claim commits. A delivery is
 * due only when no earlier event of the same agreement is still pending for the same endpoint,
 * so a failing delivery holds back that agreement on that endpoint and nothing else.
 */
export const claimDueDeliveries = async (
  sql: SqlClient,
  options: ClaimOptions,
): Promise<readonly ClaimedDelivery[]> => {
  if (options.limit <= 0) return [];
  const leaseToken = randomUUID();
  const { rows } = await sql.query<ClaimedRow>(
    `WITH due AS (
       SELECT d.id
         FROM webhook_deliveries d
         JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'active'
        WHERE d.status = 'pending'
          AND d.next_attempt_at <= $1
          AND (d.lease_until IS NULL OR d.lease_until <= $1)
          AND NOT EXISTS (
                SELECT 1 FROM webhook_deliveries earlier
                 WHERE earlier.endpoint_id = d.endpoint_id
                   AND earlier.stream_id = d.stream_id
                   AND earlier.status = 'pending'
                   AND earlier.position < d.position)
        ORDER BY d.next_attempt_at, d.position
        LIMIT $2
        FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_deliveries AS d
        SET lease_token = $3, lease_until = $4
       FROM due, webhook_messages m, webhook_endpoints e
      WHERE d.id = due.id AND m.event_id = d.event_id AND e.id = d.endpoint_id
     RETURNING d.id, d.endpoint_id, e.url, d.event_id, d.stream_id, d.position, m.body,
               d.attempts, e.failing_since`,
    [options.now, options.limit, leaseToken, new Date(options.now.getTime() + options.leaseMs)],
  );
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpoint_id,
    url: row.url,
    eventId: row.event_id,
    streamId: row.stream_id,
    position: BigInt(row.position),
    body: row.body,
    attempts: row.attempts,
    failingSince: row.failing_since,
    leaseToken,
  }));
};

/**
 * When the next delivery falls due (first in its agreement's line, lease lapsed), so an idle
 * dispatcher sleeps no longer than needed.
 */
export const nextDueAt = async (sql: SqlClient): Promise<Date | undefined> => {
  const { rows } = await sql.query<{ due: Date | null }>(
    `SELECT min(GREATEST(d.next_attempt_at, COALESCE(d.lease_until, d.next_attempt_at))) AS due
       FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'active'
      WHERE d.status = 'pending'
        AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries earlier
               WHERE earlier.endpoint_id = d.endpoint_id
                 AND earlier.stream_id = d.stream_id
                 AND earlier.status = 'pending'
                 AND earlier.position < d.position)`,
  );
  return rows[0]?.due ?? undefined;
};

export const pendingDeliveryCount = async (sql: SqlClient): Promise<number> => {
  const { rows } = await sql.query<{ pending: string }>(
    `SELECT count(*) AS pending FROM webhook_deliveries WHERE status = 'pending'`,
  );
  return Number(rows[0]?.pending ?? 0);
};

export interface AttemptRecord {
  readonly attemptedAt: Date;
  readonly outcome: AttemptOutcome;
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
}

/** What follows an attempt: done, retry at a time, or the endpoint is disabled. */
export type AttemptConsequence =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly at: Date }
  | { readonly kind: 'disable'; readonly reason: string };

export interface FinishedAttempt {
  /** True when this attempt disabled the endpoint (a notice was recorded). */
  readonly disabledEndpoint: boolean;
}

/**
 * Records an attempt and its consequence in one transaction. Disabling marks the endpoint's
 * pending deliveries failed (they can be redelivered after the endpoint is resumed) and keeps an
 * `endpoint.disabled` notice.
 */
export const finishAttempt = async (
  sql: SqlClient,
  claimed: ClaimedDelivery,
  attempt: AttemptRecord,
  consequence: AttemptConsequence,
): Promise<FinishedAttempt> =>
  sql.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO webhook_attempts
         (delivery_id, attempted_at, outcome, status_code, duration_ms, response_excerpt, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        claimed.id,
        attempt.attemptedAt,
        attempt.outcome,
        attempt.statusCode,
        attempt.durationMs,
        attempt.responseExcerpt,
        attempt.error,
      ],
    );
    switch (consequence.kind) {
      case 'delivered':
        await tx.query(
          `UPDATE webhook_deliveries
              SET status = 'delivered', attempts = attempts + 1, last_attempt_at = $2,
                  delivered_at = $2, lease_token = NULL, lease_until = NULL
            WHERE id = $1`,
          [claimed.id, attempt.attemptedAt],
        );
        await tx.query(
          'UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL',
          [claimed.endpointId],
        );
        return { disabledEndpoint: false };
      case 'retry':
        // Only the lease holder reschedules: a lapsed lease means another dispatcher owns it now.
        await tx.query(
          `UPDATE webhook_deliveries
              SET attempts = attempts + 1, last_attempt_at = $2, next_attempt_at = $3,
                  lease_token = NULL, lease_until = NULL
            WHERE id = $1 AND lease_token = $4 AND status = 'pending'`,
          [claimed.id, attempt.attemptedAt, consequence.at, claimed.leaseToken],
        );
        await tx.query(
          'UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1',
          [claimed.endpointId, attempt.attemptedAt],
        );
        return { disabledEndpoint: false };
      case 'disable': {
        await tx.query(
          `UPDATE webhook_deliveries
              SET attempts = attempts + 1, last_attempt_at = $2, lease_token = NULL, lease_until = NULL
            WHERE id = $1`,
          [claimed.id, attempt.attemptedAt],
        );
        const disabled = await tx.query(
          `UPDATE webhook_endpoints
              SET status = 'disabled', disabled_reason = $2, disabled_at = $3,
                  failing_since = COALESCE(failing_since, $3), updated_at = $3
            WHERE id = $1 AND status <> 'disabled'`,
          [claimed.endpointId, consequence.reason, attempt.attemptedAt],
        );
        if (disabled.rowCount === 0) return { disabledEndpoint: false };
        await tx.query(
          `UPDATE webhook_deliveries SET status = 'failed', lease_token = NULL, lease_until = NULL
            WHERE endpoint_id = $1 AND status = 'pending'`,
          [claimed.endpointId],
        );
        await tx.query(
          `INSERT INTO webhook_endpoint_notices (endpoint_id, type, reason, created_at)
           VALUES ($1, 'endpoint.disabled', $2, $3)`,
          [claimed.endpointId, consequence.reason, attempt.attemptedAt],
        );
        return { disabledEndpoint: true };
      }
      default: {
        const _exhaustive: never = consequence;
        return _exhaustive;
      }
    }
  });
