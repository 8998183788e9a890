import { decodeAgreementEvent } from '@twinning/agreements';
import type { CityId, IsoDate } from '@twinning/domain';
import type { RecordedEvent } from '@twinning/event-store';
import { READ_SCHEMA, type Projection } from '@twinning/projections';
import type { SqlQueryable, SqlTransaction } from '@twinning/sql';
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
export const inForceProjection: Projection = {
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
  async apply(tx: SqlTransaction, event: RecordedEvent, schema: string): Promise<void> {
    const stored = decodeAgreementEvent(event);
    const { rows } = await tx.query<{ timeline: InForceTimeline }>(
      `SELECT timeline FROM "${schema}".${TIMELINES} WHERE agreement_id = $1`,
      [event.streamId],
    );
    const step = advanceInForceTimeline(rows[0]?.timeline, stored);
    if (step === undefined) return;
    await tx.query(
      `INSERT INTO "${schema}".${TIMELINES} (agreement_id, timeline) VALUES ($1, $2::jsonb)
       ON CONFLICT (agreement_id) DO UPDATE SET timeline = EXCLUDED.timeline`,
      [event.streamId, JSON.stringify(step.timeline)],
    );
    if (!step.changed) return;
    await writeRecordVersion(tx, schema, step.timeline);
  },
};

/** Closes the rows the record held until now and writes what it says from `knownSince` on. */
export const writeRecordVersion = async (
  tx: SqlQueryable,
  schema: string,
  timeline: InForceTimeline,
): Promise<void> => {
  await tx.query(
    `UPDATE "${schema}".${INTERVALS} SET known_until = $2::timestamptz
      WHERE agreement_id = $1 AND known_until IS NULL`,
    [timeline.agreementId, timeline.knownSince],
  );
  if (timeline.intervals.length === 0) return;
  await tx.query(
    `INSERT INTO "${schema}".${INTERVALS}
       (agreement_id, proposer_city, proposer_name, partner_city, partner_name,
        in_force_from, in_force_until, known_from)
     SELECT $1, $2, $3, $4, $5, i.from_date, i.until_date, $7::timestamptz
       FROM jsonb_to_recordset($6::jsonb) AS i(from_date date, until_date date)`,
    [
      timeline.agreementId,
      timeline.proposer.cityId,
      timeline.proposer.name,
      timeline.partner.cityId,
      timeline.partner.name,
      JSON.stringify(
        timeline.intervals.map((interval) => ({
          from_date: interval.from,
          until_date: interval.until,
        })),
      ),
      timeline.knownSince,
    ],
  );
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
