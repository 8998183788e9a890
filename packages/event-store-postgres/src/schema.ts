import type { Migration } from '@twinning/sql';

/**
 * Global positions carry the id of the writing transaction: `position = xid << 20 | index`, the
 * index counting the events of one append. Readers of the global order only look below
 * `pg_snapshot_xmin(pg_current_snapshot()) << 20`: every transaction under that horizon has
 * ended, so no event can later appear below a position already read (gap safety) while writers
 * stay concurrent.
 */
export const positionShift = 20n;
export const maxEventsPerAppend = 1 << Number(positionShift);

/** Versioned schema of the event store; append only, never edit an applied migration. */
export const eventStoreMigrations = (schema: string): Migration[] => [
  {
    version: 1,
    name: 'streams and events',
    sql: `
      CREATE TABLE "${schema}".streams (
        stream_id text PRIMARY KEY,
        revision bigint NOT NULL,
        last_hash text NOT NULL
      );
      CREATE TABLE "${schema}".events (
        position bigint PRIMARY KEY,
        stream_id text NOT NULL,
        revision bigint NOT NULL,
        event_id uuid NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
      );
      COMMENT ON COLUMN "${schema}".events.position IS
        'pg_current_xact_id() << 20 | index within the append; read below pg_snapshot_xmin << 20';
    `,
  },
];
