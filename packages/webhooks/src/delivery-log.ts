import type { EventStore, RecordedEvent } from '@twinning/event-store';
import type { SqlClient } from '@twinning/sql';
import {
  AGREEMENT_STREAM_PREFIX,
  notifyDispatchers,
  partiesFromStore,
  readCheckpoint,
  recordDeliveries,
} from './delivery-recording.js';
import type { WebhookEventType } from './event-types.js';
import { webhookIdOf } from './webhook-payload.js';
import { EndpointNotFoundError } from './webhook-endpoints.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export interface Delivery {
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  /** The `webhook-id` the consumer sees on every attempt. */
  readonly webhookId: string;
  readonly type: WebhookEventType;
  readonly streamId: string;
  readonly position: bigint;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly createdAt: Date;
  readonly lastAttemptAt: Date | null;
  readonly deliveredAt: Date | null;
}

export interface DeliveryAttempt {
  readonly id: string;
  readonly attemptedAt: Date;
  readonly outcome: 'delivered' | 'gone' | 'failed';
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
}

export class DeliveryNotFoundError extends Error {
  override readonly name = 'DeliveryNotFoundError';
  constructor(readonly deliveryId: string) {
    super(`No webhook delivery ${deliveryId}`);
  }
}

export interface DeliveryQuery {
  readonly status?: DeliveryStatus | undefined;
  readonly limit: number;
  /** Newest first; pass the last id seen to read older ones. */
  readonly beforeId?: string | undefined;
}

export interface RedeliveryRange {
  /** Deliveries recorded at or after this time… */
  readonly from: Date;
  /** …and before this one. */
  readonly to: Date;
  /** Which deliveries to send again; by default the failed ones. */
  readonly statuses?: readonly DeliveryStatus[];
}

export interface BackfillReport {
  readonly recorded: number;
  /** The follower's checkpoint: later events reach the endpoint without a back-fill. */
  readonly upToPosition: bigint | null;
}

export interface DeliveryLog {
  list(endpointId: string, query: DeliveryQuery): Promise<readonly Delivery[]>;
  get(deliveryId: string): Promise<{ delivery: Delivery; attempts: readonly DeliveryAttempt[] }>;
  /** Sends one delivery again (whatever its status), as soon as a dispatcher is free. */
  redeliver(deliveryId: string, now: Date): Promise<Delivery>;
  redeliverRange(endpointId: string, range: RedeliveryRange, now: Date): Promise<number>;
  /**
   * Records deliveries for every matching event from `fromPosition` (inclusive) up to the
   * follower's checkpoint, for a new endpoint or one that missed events while disabled.
   */
  backfill(endpointId: string, fromPosition: bigint, now: Date): Promise<BackfillReport>;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  webhook_type: WebhookEventType;
  stream_id: string;
  position: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
}

const DELIVERY_COLUMNS = `d.id, d.endpoint_id, d.event_id, m.webhook_type, d.stream_id, d.position,
  d.status, d.attempts, d.next_attempt_at, d.created_at, d.last_attempt_at, d.delivered_at`;

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  webhookId: webhookIdOf(row.event_id),
  type: row.webhook_type,
  streamId: row.stream_id,
  position: BigInt(row.position),
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
  createdAt: row.created_at,
  lastAttemptAt: row.last_attempt_at,
  deliveredAt: row.delivered_at,
});

const BACKFILL_BATCH = 500;

export const createDeliveryLog = (sql: SqlClient, store: EventStore): DeliveryLog => {
  const lookupParties = partiesFromStore(store);

  const load = async (deliveryId: string): Promise<Delivery> => {
    const { rows } = await sql.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d
         JOIN webhook_messages m ON m.event_id = d.event_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    const row = rows[0];
    if (row === undefined) throw new DeliveryNotFoundError(deliveryId);
    return toDelivery(row);
  };

  const assertEndpoint = async (endpointId: string): Promise<void> => {
    const { rowCount } = await sql.query('SELECT 1 FROM webhook_endpoints WHERE id = $1', [
      endpointId,
    ]);
    if (rowCount === 0) throw new EndpointNotFoundError(endpointId);
  };

  return {
    async list(endpointId, query) {
      await assertEndpoint(endpointId);
      const { rows } = await sql.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d
           JOIN webhook_messages m ON m.event_id = d.event_id
          WHERE d.endpoint_id = $1
            AND ($2::text IS NULL OR d.status = $2::text)
            AND ($3::bigint IS NULL OR d.id < $3::bigint)
          ORDER BY d.id DESC
          LIMIT $4`,
        [endpointId, query.status ?? null, query.beforeId ?? null, query.limit],
      );
      return rows.map(toDelivery);
    },

    async get(deliveryId) {
      const delivery = await load(deliveryId);
      const { rows } = await sql.query<{
        id: string;
        attempted_at: Date;
        outcome: DeliveryAttempt['outcome'];
        status_code: number | null;
        duration_ms: number;
        response_excerpt: string | null;
        error: string | null;
      }>(
        `SELECT id, attempted_at, outcome, status_code, duration_ms, response_excerpt, error
           FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id`,
        [deliveryId],
      );
      return {
        delivery,
        attempts: rows.map((row) => ({
          id: row.id,
          attemptedAt: row.attempted_at,
          outcome: row.outcome,
          statusCode: row.status_code,
          durationMs: row.duration_ms,
          responseExcerpt: row.response_excerpt,
          error: row.error,
        })),
      };
    },

    async redeliver(deliveryId, now) {
      await sql.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `UPDATE webhook_deliveries
              SET status = 'pending', next_attempt_at = $2, delivered_at = NULL
            WHERE id = $1`,
          [deliveryId, now],
        );
        if (rowCount === 0) throw new DeliveryNotFoundError(deliveryId);
        await notifyDispatchers(tx);
      });
      return load(deliveryId);
    },

    async redeliverRange(endpointId, range, now) {
      await assertEndpoint(endpointId);
      return sql.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `UPDATE webhook_deliveries
              SET status = 'pending', next_attempt_at = $4, delivered_at = NULL
            WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3
              AND status = ANY($5::text[])`,
          [endpointId, range.from, range.to, now, [...(range.statuses ?? ['failed'])]],
        );
        if (rowCount > 0) await notifyDispatchers(tx);
        return rowCount;
      });
    },

    async backfill(endpointId, fromPosition, now) {
      await assertEndpoint(endpointId);
      const upTo = await readCheckpoint(sql);
      if (upTo === undefined || upTo < fromPosition) {
        return { recorded: 0, upToPosition: upTo ?? null };
      }
      let recorded = 0;
      let batch: RecordedEvent[] = [];
      const flush = async (): Promise<void> => {
        const events = batch;
        batch = [];
        recorded += await sql.transaction((tx) =>
          recordDeliveries(tx, events, { now, onlyEndpointId: endpointId, lookupParties }),
        );
      };
      for await (const event of store.readAll({
        fromPosition,
        filter: { streamPrefixes: [AGREEMENT_STREAM_PREFIX] },
      })) {
        if (event.position > upTo) break;
        batch.push(event);
        if (batch.length >= BACKFILL_BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      return { recorded, upToPosition: upTo };
    },
  };
};
