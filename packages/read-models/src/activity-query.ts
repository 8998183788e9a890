import type { Actor, AgreementEventType, AgreementId, LifecycleState } from '@twinning/domain';
import { SqlError, SqlState, type SqlParam, type SqlQueryable } from '@twinning/sql';
import { InvalidCursorError, decodeCursor, encodeCursor } from './cursor.js';

/** One event on an agreement a municipality is party to, as its activity feed shows it. */
export interface ActivityEntry {
  /** Global position of the event, as a decimal string. */
  readonly position: string;
  readonly agreementId: AgreementId;
  readonly revision: string;
  readonly eventType: AgreementEventType;
  readonly title: string;
  /** The municipality's side in the agreement. */
  readonly party: 'proposer' | 'partner';
  readonly partner: { readonly cityId: string; readonly name: string };
  readonly stateAfter: LifecycleState;
  readonly actor: Actor;
  /** The day the act took place (business time). */
  readonly businessDate: string;
  /** When the event was recorded (system time), ISO 8601. */
  readonly recordedAt: string;
}

export interface ActivityPage {
  readonly items: ActivityEntry[];
  readonly nextCursor: string | null;
}

interface ActivityRow {
  position: string;
  agreement_id: string;
  revision: string;
  event_type: AgreementEventType;
  title: string;
  party: 'proposer' | 'partner';
  partner_city_id: string;
  partner_name: string;
  state_after: LifecycleState;
  actor: Actor;
  business_date: string;
  recorded_at: Date;
}

const ACTIVITY_SORT = 'activity';

/** The events where the city is `party`, newest first: one range of that side's index. */
const feedSide = (party: 'proposer' | 'partner'): string => {
  const other = party === 'proposer' ? 'partner' : 'proposer';
  return `
    (SELECT position, agreement_id, revision, event_type, title, '${party}' AS party,
            ${other}_city_id AS other_city_id, ${other}_name AS other_name, state_after, actor,
            business_date, recorded_at
       FROM read.agreement_activity
      WHERE ${party}_city_id = $1 AND ($2::bigint IS NULL OR position < $2::bigint)
      ORDER BY position DESC
      LIMIT $3)`;
};

/**
 * One page of a city's feed ($1 the city, $2 the position to read before or NULL, $3 the rows
 * wanted): the events where it is the proposer and those where it is the partner, merged newest
 * first.
 */
const FEED_SQL = `
  WITH sides AS (${feedSide('proposer')} UNION ALL ${feedSide('partner')})
  SELECT position::text, agreement_id, revision::text, event_type, title, party,
         other_city_id AS partner_city_id, other_name AS partner_name, state_after, actor,
         business_date::text, recorded_at
    FROM sides
   ORDER BY sides.position DESC
   LIMIT $3`;

/**
 * The same page from version 1 of the agreements read model (one row per event and party city),
 * which keeps serving while version 2 is being built after an upgrade.
 */
const VERSION_1_FEED_SQL = `
  SELECT position::text, agreement_id, revision::text, event_type, title, party,
         partner_city_id, partner_name, state_after, actor, business_date::text, recorded_at
    FROM read.municipality_activity AS activity
   WHERE city_id = $1 AND ($2::bigint IS NULL OR activity.position < $2::bigint)
   ORDER BY activity.position DESC
   LIMIT $3`;

const readFeed = async (sql: SqlQueryable, params: SqlParam[]) => {
  try {
    return await sql.query<ActivityRow>(FEED_SQL, params);
  } catch (error) {
    if (!(error instanceof SqlError && error.code === SqlState.undefinedTable)) throw error;
    return await sql.query<ActivityRow>(VERSION_1_FEED_SQL, params);
  }
};

/** A municipality's activity feed, newest first, one index range per page. */
export const municipalityActivity = async (
  sql: SqlQueryable,
  request: { readonly cityId: string; readonly cursor?: string; readonly limit: number },
): Promise<ActivityPage> => {
  let before: string | null = null;
  if (request.cursor !== undefined) {
    const cursor = decodeCursor(request.cursor, ACTIVITY_SORT);
    const key = String(cursor.key);
    if (!/^\d{1,19}$/.test(key))
      throw new InvalidCursorError('the cursor is not one this API returned');
    before = key;
  }
  const { rows } = await readFeed(sql, [request.cityId, before, request.limit + 1]);
  const page = rows.slice(0, request.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      position: row.position,
      agreementId: row.agreement_id as AgreementId,
      revision: row.revision,
      eventType: row.event_type,
      title: row.title,
      party: row.party,
      partner: { cityId: row.partner_city_id, name: row.partner_name },
      stateAfter: row.state_after,
      actor: row.actor,
      businessDate: row.business_date,
      recordedAt: row.recorded_at.toISOString(),
    })),
    nextCursor:
      rows.length > request.limit && last !== undefined
        ? encodeCursor({ sort: ACTIVITY_SORT, key: last.position, id: last.agreement_id })
        : null,
  };
};
