import type { SqlClient } from '@twinning/sql';
import { BUILD_COLUMNS, toBuildRecord, type BuildRecord, type BuildRow } from './build-record.js';
import { PROJECTION_REQUESTS_CHANNEL, ensureProjectionTables } from './control-tables.js';

export type ProjectionRequestKind = 'rebuild' | 'retry' | 'skip';
export type ProjectionRequestStatus = 'pending' | 'done' | 'rejected';

export interface ProjectionRequest {
  readonly id: string;
  readonly projection: string;
  readonly kind: ProjectionRequestKind;
  readonly position: bigint | undefined;
  readonly requestedBy: string;
  readonly reason: string | undefined;
  readonly requestedAt: Date;
  readonly status: ProjectionRequestStatus;
  readonly outcome: string | undefined;
  readonly handledAt: Date | undefined;
}

export interface ParkedEvent {
  readonly id: string;
  readonly projection: string;
  readonly version: number;
  readonly schema: string;
  readonly position: bigint;
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly eventType: string;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: Date;
}

export interface SkippedEvent {
  readonly projection: string;
  readonly version: number;
  readonly position: bigint;
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly eventType: string;
  readonly error: string;
  readonly skippedBy: string;
  readonly reason: string;
  readonly skippedAt: Date;
}

/** No build of this projection exists: the name is wrong, or no runner has started it yet. */
export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
  constructor(readonly projection: string) {
    super(`No projection named ${JSON.stringify(projection)} has been built`);
  }
}

/** Retry and skip name a parked event; there is none at that position. */
export class NoParkedEventError extends Error {
  override readonly name = 'NoParkedEventError';
  constructor(
    readonly projection: string,
    readonly position: bigint,
  ) {
    super(`No event of ${projection} is parked at position ${position.toString()}`);
  }
}

/**
 * What an operator does to projections from another process (the admin API, the CLI): read their
 * state and file requests that the runner holding the projection carries out. Requests are rows
 * (`projection_requests`), announced by NOTIFY and polled for, so they work across processes.
 */
export interface ProjectionControl {
  /** Every build not yet retired, serving ones first. */
  builds(): Promise<readonly BuildRecord[]>;
  parked(projection?: string): Promise<readonly ParkedEvent[]>;
  skipped(projection?: string): Promise<readonly SkippedEvent[]>;
  requestRebuild(request: {
    projection: string;
    requestedBy: string;
    reason?: string;
  }): Promise<ProjectionRequest>;
  requestRetry(request: {
    projection: string;
    position: bigint;
    requestedBy: string;
  }): Promise<ProjectionRequest>;
  requestSkip(request: {
    projection: string;
    position: bigint;
    requestedBy: string;
    reason: string;
  }): Promise<ProjectionRequest>;
  request(id: string): Promise<ProjectionRequest | undefined>;
}

interface RequestRow {
  id: string;
  projection: string;
  kind: ProjectionRequestKind;
  position: string | null;
  requested_by: string;
  reason: string | null;
  requested_at: Date;
  status: ProjectionRequestStatus;
  outcome: string | null;
  handled_at: Date | null;
}

const REQUEST_COLUMNS =
  'id::text AS id, projection, kind, position::text AS position, requested_by, reason, requested_at, status, outcome, handled_at';

const toRequest = (row: RequestRow): ProjectionRequest => ({
  id: row.id,
  projection: row.projection,
  kind: row.kind,
  position: row.position === null ? undefined : BigInt(row.position),
  requestedBy: row.requested_by,
  reason: row.reason ?? undefined,
  requestedAt: row.requested_at,
  status: row.status,
  outcome: row.outcome ?? undefined,
  handledAt: row.handled_at ?? undefined,
});

interface ParkedRow {
  id: string;
  projection: string;
  version: number;
  schema_name: string;
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  event_type: string;
  error_message: string;
  attempts: number;
  parked_at: Date;
}

interface SkipRow {
  projection: string;
  version: number;
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  event_type: string;
  error_message: string;
  skipped_by: string;
  reason: string;
  skipped_at: Date;
}

const requestIdPattern = /^[1-9][0-9]{0,18}$/;

export const createProjectionControl = async (sql: SqlClient): Promise<ProjectionControl> => {
  await ensureProjectionTables(sql);

  const assertKnown = async (projection: string): Promise<void> => {
    const { rowCount } = await sql.query(
      'SELECT 1 FROM projection_checkpoints WHERE name = $1 LIMIT 1',
      [projection],
    );
    if (rowCount === 0) throw new UnknownProjectionError(projection);
  };

  const assertParked = async (projection: string, position: bigint): Promise<void> => {
    await assertKnown(projection);
    const { rowCount } = await sql.query(
      `SELECT 1 FROM projection_parked WHERE projection = $1 AND position = $2 AND status = 'parked' LIMIT 1`,
      [projection, position],
    );
    if (rowCount === 0) throw new NoParkedEventError(projection, position);
  };

  const file = async (
    projection: string,
    kind: ProjectionRequestKind,
    position: bigint | undefined,
    requestedBy: string,
    reason: string | undefined,
  ): Promise<ProjectionRequest> =>
    sql.transaction(async (tx) => {
      const { rows } = await tx.query<RequestRow>(
        `INSERT INTO projection_requests (projection, kind, position, requested_by, reason)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${REQUEST_COLUMNS}`,
        [projection, kind, position ?? null, requestedBy, reason ?? null],
      );
      await tx.query('SELECT pg_notify($1, $2)', [PROJECTION_REQUESTS_CHANNEL, projection]);
      const row = rows[0];
      if (row === undefined) throw new Error('the request was not stored');
      return toRequest(row);
    });

  return {
    async builds() {
      const { rows } = await sql.query<BuildRow>(
        `SELECT ${BUILD_COLUMNS} FROM projection_checkpoints WHERE state <> 'retired'
          ORDER BY name, state DESC, version, build`,
      );
      return rows.map(toBuildRecord);
    },
    async parked(projection) {
      const { rows } = await sql.query<ParkedRow>(
        `SELECT p.id::text AS id, p.projection, p.version, p.schema_name, p.position::text AS position,
                p.stream_id, p.revision::text AS revision, p.event_id, p.event_type, p.error_message,
                p.attempts, p.parked_at
           FROM projection_parked AS p
           JOIN projection_checkpoints AS c ON c.schema_name = p.schema_name AND c.state <> 'retired'
          WHERE p.status = 'parked' AND ($1::text IS NULL OR p.projection = $1)
          ORDER BY p.projection, p.position`,
        [projection ?? null],
      );
      return rows.map((row) => ({
        id: row.id,
        projection: row.projection,
        version: row.version,
        schema: row.schema_name,
        position: BigInt(row.position),
        streamId: row.stream_id,
        revision: BigInt(row.revision),
        eventId: row.event_id,
        eventType: row.event_type,
        error: row.error_message,
        attempts: row.attempts,
        parkedAt: row.parked_at,
      }));
    },
    async skipped(projection) {
      const { rows } = await sql.query<SkipRow>(
        `SELECT projection, version, position::text AS position, stream_id, revision::text AS revision,
                event_id, event_type, error_message, skipped_by, reason, skipped_at
           FROM projection_skips WHERE ($1::text IS NULL OR projection = $1)
          ORDER BY skipped_at, id`,
        [projection ?? null],
      );
      return rows.map((row) => ({
        projection: row.projection,
        version: row.version,
        position: BigInt(row.position),
        streamId: row.stream_id,
        revision: BigInt(row.revision),
        eventId: row.event_id,
        eventType: row.event_type,
        error: row.error_message,
        skippedBy: row.skipped_by,
        reason: row.reason,
        skippedAt: row.skipped_at,
      }));
    },
    async requestRebuild({ projection, requestedBy, reason }) {
      await assertKnown(projection);
      return file(projection, 'rebuild', undefined, requestedBy, reason);
    },
    async requestRetry({ projection, position, requestedBy }) {
      await assertParked(projection, position);
      return file(projection, 'retry', position, requestedBy, undefined);
    },
    async requestSkip({ projection, position, requestedBy, reason }) {
      if (reason.trim() === '') throw new TypeError('a skip needs a reason');
      await assertParked(projection, position);
      return file(projection, 'skip', position, requestedBy, reason);
    },
    async request(id) {
      if (!requestIdPattern.test(id)) return undefined;
      const { rows } = await sql.query<RequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM projection_requests WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      return row === undefined ? undefined : toRequest(row);
    },
  };
};
