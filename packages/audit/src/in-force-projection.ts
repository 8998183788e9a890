import { decodeAgreementEvent } from '@twinning/agreements';
import type { CityId, IsoDate } from '@twinning/domain';
import type { RecordedEvent } from '@twinning/event-store';
import {
  PREPARE_SLICE,
  READ_SCHEMA,
  letIoThrough,
  rowsBefore,
  splitByPresence,
  type Projection,
} from '@twinning/projections';
import {
  encodeCopyRows,
  type CopyRows,
  type SqlQueryable,
  type SqlTransaction,
} from '@twinning/sql';
import { advanceInForceTimeline, type InForceTimeline } from './in-force-timeline.js';
import type { InForceQuery, PartnershipInForce } from './in-force-query.js';

const TIMELINES = 'audit_in_force_timelines';
const INTERVALS = 'audit_in_force_intervals';

/**
 * The bitemporal in-force read model. `audit_in_force_intervals` holds one row per in-force
 * interval (business time `[in_force_from, in_force_until)`) per state of the record (system
 * time `[known_from, known_until)`): a late-recorded act closes the rows that were current and
 * opens new ones, so the record as it stood at any earlier time stays queryable.
 * `audit_in_force_timelines` keeps each agreement's running state between events.
 */
export const inForceProjection: Projection<PreparedInForce> = {
  name: 'audit_in_force',
  version: 1,
  tables: [TIMELINES, INTERVALS],
  filter: { streamPrefixes: ['agreement-'] },
  async setup(tx: SqlTransaction, schema: string): Promise<void> {
    await tx.exec(`
      CREATE TABLE "${schema}".${TIMELINES} (
        agreement_id text PRIMARY KEY,
        timeline jsonb NOT NULL
      );
      CREATE TABLE "${schema}".${INTERVALS} (
        agreement_id text NOT NULL,
        proposer_city text NOT NULL,
        proposer_name text NOT NULL,
        partner_city text NOT NULL,
        partner_name text NOT NULL,
        in_force_from date NOT NULL,
        in_force_until date,
        known_from timestamptz NOT NULL,
        known_until timestamptz
      );
      CREATE INDEX ${INTERVALS}_current ON "${schema}".${INTERVALS} (in_force_from)
        WHERE known_until IS NULL;
      CREATE INDEX ${INTERVALS}_known ON "${schema}".${INTERVALS} (known_from, in_force_from);
      CREATE INDEX ${INTERVALS}_agreement ON "${schema}".${INTERVALS} (agreement_id)
        WHERE known_until IS NULL;
    `);
  },
  batches: { prepare: prepareBatch, write: writeBatch },
  async apply(tx: SqlTransaction, event: RecordedEvent, schema: string): Promise<void> {
    await writeBatch(tx, await prepareBatch(tx, [event], schema, undefined), schema);
  },
};

/** A batch advanced in memory: each touched timeline as the batch leaves it, and its rows. */
export interface PreparedInForce {
  readonly timelines: ReadonlyMap<string, InForceTimeline>;
  /** Timelines begun in this batch, which no row of the table holds yet. */
  readonly newTimelines: CopyRows;
  /** The other changed timelines' rows, as the upsert's JSON parameter; `undefined` if none. */
  readonly timelineRows: string | undefined;
  readonly versionRows: RecordVersionRows;
}

/**
 * Advances the timelines a batch touches, each read once (or taken from the batch before, which
 * may still be being written), and encodes the rows to write.
 */
async function prepareBatch(
  reader: SqlQueryable,
  events: readonly RecordedEvent[],
  schema: string,
  previous: PreparedInForce | undefined,
): Promise<PreparedInForce> {
  const timelines = await rowsBefore(
    events.map((event) => event.streamId),
    previous?.timelines,
    async (streamIds) => {
      const { rows } = await reader.query<{ agreement_id: string; timeline: InForceTimeline }>(
        `SELECT agreement_id, timeline FROM "${schema}".${TIMELINES}
          WHERE agreement_id = ANY($1::text[])`,
        [streamIds],
      );
      return new Map(rows.map((row) => [row.agreement_id, row.timeline]));
    },
  );
  // Timelines the table holds once the batches before this one are written; agreements first
  // seen in this batch have no rows to close.
  const existing = new Set(timelines.keys());
  const withRows = new Set([...timelines.values()].map((timeline) => timeline.agreementId));
  const touched = new Map<string, InForceTimeline>();
  const versions: InForceTimeline[] = [];
  for (const [index, event] of events.entries()) {
    if (index > 0 && index % PREPARE_SLICE === 0) await letIoThrough();
    const step = advanceInForceTimeline(timelines.get(event.streamId), decodeAgreementEvent(event));
    if (step === undefined) continue;
    timelines.set(event.streamId, step.timeline);
    touched.set(event.streamId, step.timeline);
    if (step.changed) versions.push(step.timeline);
  }
  await letIoThrough();
  const { created, updated } = splitByPresence(touched, existing);
  return {
    timelines,
    newTimelines: encodeCopyRows(
      TIMELINE_COLUMNS,
      created.map(([key, timeline]) => [key, JSON.stringify(timeline)]),
    ),
    timelineRows:
      updated.length === 0
        ? undefined
        : JSON.stringify(updated.map(([key, timeline]) => ({ agreement_id: key, timeline }))),
    versionRows: recordVersionRows(versions, withRows),
  };
}

const TIMELINE_COLUMNS = ['agreement_id', 'timeline'] as const;

/**
 * Writes a prepared batch: each touched timeline (new ones with COPY, which costs PostgreSQL far
 * less than a row set from JSON), then every version of the record it makes.
 */
async function writeBatch(
  tx: SqlQueryable,
  prepared: PreparedInForce,
  schema: string,
): Promise<void> {
  await tx.copyRows(`"${schema}".${TIMELINES}`, prepared.newTimelines);
  if (prepared.timelineRows !== undefined)
    await writeTimelineRows(tx, schema, prepared.timelineRows);
  await sendRecordVersionRows(tx, schema, prepared.versionRows);
}

async function writeTimelineRows(tx: SqlQueryable, schema: string, rows: string): Promise<void> {
  await tx.query(
    `INSERT INTO "${schema}".${TIMELINES} (agreement_id, timeline)
     SELECT agreement_id, timeline FROM json_to_recordset($1::json) AS t(agreement_id text, timeline jsonb)
     ON CONFLICT (agreement_id) DO UPDATE SET timeline = EXCLUDED.timeline`,
    [rows],
  );
}

/** The statements' JSON parameters for writing versions of the record (see `writeRecordVersions`). */
interface RecordVersionRows {
  /** Agreements whose current rows close, and when. */
  readonly closing: string | undefined;
  readonly intervals: CopyRows;
}

const INTERVAL_COLUMNS = [
  'agreement_id',
  'proposer_city',
  'proposer_name',
  'partner_city',
  'partner_name',
  'in_force_from',
  'in_force_until',
  'known_from',
  'known_until',
] as const;

/**
 * Works out the rows for successive versions of the record (in the order they became known,
 * possibly of many agreements): each version's rows hold from its `knownSince` until the next
 * version of the same agreement, and the rows the table held as current are closed where the
 * first version starts.
 */
const recordVersionRows = (
  versions: readonly InForceTimeline[],
  withRows: ReadonlySet<string> | undefined,
): RecordVersionRows => {
  const firstKnown = new Map<string, string>();
  const nextKnown = new Map<InForceTimeline, string>();
  const latest = new Map<string, InForceTimeline>();
  for (const version of versions) {
    if (!firstKnown.has(version.agreementId)) {
      firstKnown.set(version.agreementId, version.knownSince);
    }
    const previous = latest.get(version.agreementId);
    if (previous !== undefined) nextKnown.set(previous, version.knownSince);
    latest.set(version.agreementId, version);
  }
  const closing = [...firstKnown]
    .filter(([agreementId]) => withRows === undefined || withRows.has(agreementId))
    .map(([agreementId, knownSince]) => ({ agreement_id: agreementId, known_until: knownSince }));
  const intervals = versions.flatMap((version) =>
    version.intervals.map((interval) => [
      version.agreementId,
      version.proposer.cityId,
      version.proposer.name,
      version.partner.cityId,
      version.partner.name,
      interval.from,
      interval.until,
      version.knownSince,
      nextKnown.get(version) ?? null,
    ]),
  );
  return {
    closing: closing.length === 0 ? undefined : JSON.stringify(closing),
    intervals: encodeCopyRows(INTERVAL_COLUMNS, intervals),
  };
};

const sendRecordVersionRows = async (
  tx: SqlQueryable,
  schema: string,
  rows: RecordVersionRows,
): Promise<void> => {
  if (rows.closing !== undefined) {
    await tx.query(
      `UPDATE "${schema}".${INTERVALS} AS i SET known_until = c.known_until
       FROM json_to_recordset($1::json) AS c(agreement_id text, known_until timestamptz)
      WHERE i.agreement_id = c.agreement_id AND i.known_until IS NULL`,
      [rows.closing],
    );
  }
  // Appended with COPY: every version's rows are new.
  await tx.copyRows(`"${schema}".${INTERVALS}`, rows.intervals);
};

/**
 * Writes successive versions of the record (in the order they became known, possibly of many
 * agreements): each version's rows hold from its `knownSince` until the next version of the same
 * agreement, and the rows the table held as current are closed where the first version starts.
 */
export const writeRecordVersions = async (
  tx: SqlQueryable,
  schema: string,
  versions: readonly InForceTimeline[],
  options: {
    /** The only agreements that may have current rows to close; all of them when absent. */
    readonly withRows?: ReadonlySet<string>;
  } = {},
): Promise<void> => {
  await sendRecordVersionRows(tx, schema, recordVersionRows(versions, options.withRows));
};

interface IntervalRow {
  agreement_id: string;
  proposer_city: string;
  proposer_name: string;
  partner_city: string;
  partner_name: string;
  in_force_from: string;
  in_force_until: string | null;
}

/** Queries the projection's views (`read.audit_in_force_intervals`), or another schema's tables. */
export const createSqlInForceQuery = (
  sql: SqlQueryable,
  options: { readonly schema?: string } = {},
): InForceQuery => {
  const table = `"${options.schema ?? READ_SCHEMA}".${INTERVALS}`;
  const columns = `agreement_id, proposer_city, proposer_name, partner_city, partner_name,
    in_force_from::text AS in_force_from, in_force_until::text AS in_force_until`;
  const during = `in_force_from <= $1::date AND (in_force_until IS NULL OR in_force_until > $1::date)`;
  return {
    async partnershipsInForceOn(on: IsoDate, knownAt?: Date): Promise<PartnershipInForce[]> {
      const { rows } =
        knownAt === undefined
          ? await sql.query<IntervalRow>(
              `SELECT ${columns} FROM ${table} WHERE known_until IS NULL AND ${during}
                ORDER BY agreement_id`,
              [on],
            )
          : await sql.query<IntervalRow>(
              `SELECT ${columns} FROM ${table}
                WHERE known_from <= $2::timestamptz
                  AND (known_until IS NULL OR known_until > $2::timestamptz) AND ${during}
                ORDER BY agreement_id`,
              [on, knownAt.toISOString()],
            );
      return rows.map((row) => ({
        agreementId: row.agreement_id,
        // The rows were written from validated events: the brands hold.
        proposer: { cityId: row.proposer_city as CityId, name: row.proposer_name },
        partner: { cityId: row.partner_city as CityId, name: row.partner_name },
        inForceFrom: row.in_force_from as IsoDate,
        inForceUntil: row.in_force_until as IsoDate | null,
      }));
    },
  };
};
