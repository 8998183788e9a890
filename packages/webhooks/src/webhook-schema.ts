import { runMigrations, type Migration, type SqlClient } from '@twinning/sql';

/**
 * Tables of the webhook component, in the read-model database (PostgreSQL or PGlite):
 * - endpoints and their sealed signing secrets (several while a rotation's grace period runs);
 * - messages: the body sent for an event, stored once so every attempt signs the same bytes;
 * - deliveries: one per endpoint and event (unique), the unit of retry and ordering;
 * - attempts: every try, with status, duration and a response excerpt;
 * - the follower's checkpoint, the agreements' parties (for city filters), and endpoint notices.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'webhooks',
    sql: `
      CREATE TABLE webhook_endpoints (
        id               uuid PRIMARY KEY,
        url              text NOT NULL,
        description      text,
        event_types      text[],
        city_ids         text[],
        status           text NOT NULL CHECK (status IN ('active', 'paused', 'disabled')),
        disabled_reason  text,
        disabled_at      timestamptz,
        failing_since    timestamptz,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL
      );
      CREATE TABLE webhook_endpoint_secrets (
        id               bigserial PRIMARY KEY,
        endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        sealed_secret    text NOT NULL,
        created_at       timestamptz NOT NULL,
        expires_at       timestamptz
      );
      CREATE INDEX webhook_endpoint_secrets_endpoint ON webhook_endpoint_secrets (endpoint_id);
      CREATE TABLE webhook_messages (
        event_id         text PRIMARY KEY,
        position         bigint NOT NULL,
        stream_id        text NOT NULL,
        webhook_type     text NOT NULL,
        body             text NOT NULL
      );
      CREATE TABLE webhook_deliveries (
        id               bigserial PRIMARY KEY,
        endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id         text NOT NULL REFERENCES webhook_messages (event_id),
        position         bigint NOT NULL,
        stream_id        text NOT NULL,
        status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL,
        lease_token      uuid,
        lease_until      timestamptz,
        created_at       timestamptz NOT NULL,
        last_attempt_at  timestamptz,
        delivered_at     timestamptz,
        UNIQUE (endpoint_id, event_id)
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_stream_order ON webhook_deliveries (endpoint_id, stream_id, position)
        WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
      CREATE TABLE webhook_attempts (
        id               bigserial PRIMARY KEY,
        delivery_id      bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempted_at     timestamptz NOT NULL,
        outcome          text NOT NULL CHECK (outcome IN ('delivered', 'gone', 'failed')),
        status_code      integer,
        duration_ms      integer NOT NULL,
        response_excerpt text,
        error            text
      );
      CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
      CREATE TABLE webhook_checkpoints (
        name             text PRIMARY KEY,
        position         bigint NOT NULL,
        updated_at       timestamptz NOT NULL
      );
      CREATE TABLE webhook_agreement_parties (
        stream_id        text PRIMARY KEY,
        city_ids         text[] NOT NULL
      );
      CREATE TABLE webhook_endpoint_notices (
        id               bigserial PRIMARY KEY,
        endpoint_id      uuid NOT NULL,
        type             text NOT NULL,
        reason           text NOT NULL,
        created_at       timestamptz NOT NULL
      );
    `,
  },
];

export const migrateWebhookSchema = async (sql: SqlClient): Promise<void> => {
  await runMigrations(sql, { name: 'webhooks', migrations: MIGRATIONS });
};

/** The NOTIFY channel that wakes dispatchers when deliveries become due. */
export const DELIVERIES_CHANNEL = 'twinning_webhook_deliveries';
