import { runMigrations, type Migration, type SqlClient } from '@twinning/sql';
import { READ_SCHEMA } from './projection.js';

/** Channel the admin API notifies when it files a request; the runner also polls. */
export const PROJECTION_REQUESTS_CHANNEL = 'projection_requests';

/**
 * Tables the runner and its administration share, in the database's default schema. Append
 * only: never edit a migration once applied.
 */
const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'checkpoints, parked events, skips and requests',
    sql: `
      CREATE SCHEMA IF NOT EXISTS ${READ_SCHEMA};

      CREATE TABLE projection_checkpoints (
        name text NOT NULL,
        version integer NOT NULL,
        build integer NOT NULL,
        schema_name text NOT NULL UNIQUE,
        state text NOT NULL CHECK (state IN ('building', 'serving', 'retired')),
        tables text[] NOT NULL,
        position bigint,
        events_applied bigint NOT NULL DEFAULT 0,
        last_event_stored_at timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(),
        caught_up_at timestamptz,
        serving_since timestamptz,
        retired_at timestamptz,
        schema_dropped_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, version, build)
      );
      CREATE UNIQUE INDEX projection_checkpoints_one_serving
        ON projection_checkpoints (name) WHERE state = 'serving';

      CREATE TABLE projection_parked (
        id bigserial PRIMARY KEY,
        projection text NOT NULL,
        version integer NOT NULL,
        schema_name text NOT NULL,
        position bigint NOT NULL,
        stream_id text NOT NULL,
        revision bigint NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        error_message text NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        parked_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'retried', 'skipped')),
        resolved_at timestamptz,
        resolved_by text
      );
      CREATE UNIQUE INDEX projection_parked_open
        ON projection_parked (schema_name, position) WHERE status = 'parked';

      CREATE TABLE projection_skips (
        id bigserial PRIMARY KEY,
        projection text NOT NULL,
        version integer NOT NULL,
        schema_name text NOT NULL,
        position bigint NOT NULL,
        stream_id text NOT NULL,
        revision bigint NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        error_message text NOT NULL,
        skipped_by text NOT NULL,
        reason text NOT NULL,
        skipped_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE projection_requests (
        id bigserial PRIMARY KEY,
        projection text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('rebuild', 'retry', 'skip')),
        position bigint,
        requested_by text NOT NULL,
        reason text,
        requested_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'rejected')),
        outcome text,
        handled_at timestamptz
      );
      CREATE INDEX projection_requests_pending
        ON projection_requests (projection, id) WHERE status = 'pending';
    `,
  },
];

/** Creates or upgrades the shared tables; safe from several processes at once. */
export const ensureProjectionTables = async (sql: SqlClient): Promise<void> => {
  await runMigrations(sql, { name: 'projections', migrations });
};
