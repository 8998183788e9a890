import {
  businessDateOf,
  decodeAgreementEvent,
  type StoredAgreementEvent,
} from '@twinning/agreements';
import { fromAgreementStreamId } from '@twinning/domain';
import type { RecordedEvent } from '@twinning/event-store';
import {
  PREPARE_SLICE,
  letIoThrough,
  rowsBefore,
  splitByPresence,
  type Projection,
} from '@twinning/projections';
import { encodeCopyRows, type CopyRows, type CopyValue, type SqlQueryable } from '@twinning/sql';
import {
  SummaryMismatchError,
  summariseAgreement,
  type AgreementSummary,
} from './agreement-summary.js';
import { foldForSearch } from './search-text.js';

/** An agreement summary as stored in `summary jsonb`: positions travel as decimal strings. */
export type StoredSummary = Omit<AgreementSummary, 'lastPosition' | 'lastRevision'> & {
  readonly lastPosition: string;
  readonly lastRevision: string;
};

export const toStoredSummary = (summary: AgreementSummary): StoredSummary => ({
  ...summary,
  lastPosition: summary.lastPosition.toString(),
  lastRevision: summary.lastRevision.toString(),
});

const fromStoredSummary = (stored: StoredSummary): AgreementSummary => ({
  ...stored,
  lastPosition: BigInt(stored.lastPosition),
  lastRevision: BigInt(stored.lastRevision),
});

const AGREEMENTS_TABLES = ['agreements', 'agreement_activity'] as const;

const setupScript = (schema: string): string => `
  CREATE TABLE "${schema}".agreements (
    agreement_id     uuid PRIMARY KEY,
    summary          jsonb NOT NULL,
    title            text NOT NULL,
    kind             text NOT NULL,
    state            text NOT NULL,
    proposer_city_id text NOT NULL,
    proposer_country text NOT NULL,
    partner_city_id  text NOT NULL,
    partner_country  text NOT NULL,
    start_date       date NOT NULL,
    end_date         date,
    proposed_on      date NOT NULL,
    signed_on        date,
    activated_on     date,
    last_position    bigint NOT NULL,
    title_sort       text NOT NULL,
    city_sort        text NOT NULL,
    search_text      text NOT NULL,
    search           tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED
  );
  CREATE INDEX agreements_search_idx ON "${schema}".agreements USING gin (search);
  CREATE INDEX agreements_proposer_idx ON "${schema}".agreements (proposer_city_id);
  CREATE INDEX agreements_partner_idx ON "${schema}".agreements (partner_city_id);
  CREATE INDEX agreements_state_idx ON "${schema}".agreements (state);
  -- Covers every statistic, so counting reads this narrow index rather than the wide rows.
  CREATE INDEX agreements_statistics_idx ON "${schema}".agreements
    (state, kind, proposer_country, partner_country, activated_on);
  CREATE INDEX agreements_title_sort_idx ON "${schema}".agreements (title_sort, agreement_id);
  CREATE INDEX agreements_city_sort_idx ON "${schema}".agreements (city_sort, agreement_id);
  CREATE INDEX agreements_proposed_on_idx ON "${schema}".agreements (proposed_on, agreement_id);
  CREATE INDEX agreements_last_position_idx ON "${schema}".agreements (last_position, agreement_id);
  CREATE INDEX agreements_end_date_idx ON "${schema}".agreements (end_date) WHERE end_date IS NOT NULL;

  -- One row per event, in both party cities' feeds: each feed is one range of one of the two
  -- indexes. The position alone identifies a row; the key leads with the proposer so that it
  -- also serves the proposer's feed.
  CREATE TABLE "${schema}".agreement_activity (
    position         bigint NOT NULL,
    agreement_id     uuid NOT NULL,
    revision         bigint NOT NULL,
    event_type       text NOT NULL,
    proposer_city_id text NOT NULL,
    proposer_name    text NOT NULL,
    partner_city_id  text NOT NULL,
    partner_name     text NOT NULL,
    title            text NOT NULL,
    state_after      text NOT NULL,
    actor            json  NOT NULL,
    business_date    date NOT NULL,
    recorded_at      timestamptz NOT NULL,
    PRIMARY KEY (proposer_city_id, position)
  );
  CREATE INDEX agreement_activity_partner_idx ON "${schema}".agreement_activity
    (partner_city_id, position);
`;

export const AGREEMENT_COLUMNS = [
  'agreement_id',
  'summary',
  'title',
  'kind',
  'state',
  'proposer_city_id',
  'proposer_country',
  'partner_city_id',
  'partner_country',
  'start_date',
  'end_date',
  'proposed_on',
  'signed_on',
  'activated_on',
  'last_position',
  'title_sort',
  'city_sort',
  'search_text',
] as const;

/** Columns a later event may change; the parties and the proposal date never do. */
const CHANGING_COLUMNS = AGREEMENT_COLUMNS.filter(
  (column) => !/^(agreement_id|proposer_|partner_|proposed_on|city_sort)/.test(column),
);

const ACTIVITY_COLUMNS = [
  'position',
  'agreement_id',
  'revision',
  'event_type',
  'proposer_city_id',
  'proposer_name',
  'partner_city_id',
  'partner_name',
  'title',
  'state_after',
  'actor',
  'business_date',
  'recorded_at',
] as const;

/** One `read.agreements` row as a JSON object (positions as decimal strings). */
const agreementRow = (summary: AgreementSummary): Record<string, unknown> => {
  const { proposer, partner } = summary;
  return {
    agreement_id: summary.agreementId,
    summary: toStoredSummary(summary),
    title: summary.title,
    kind: summary.kind,
    state: summary.state,
    proposer_city_id: proposer.cityId,
    proposer_country: proposer.country,
    partner_city_id: partner.cityId,
    partner_country: partner.country,
    start_date: summary.startDate,
    end_date: summary.endDate,
    proposed_on: summary.proposedOn,
    signed_on: summary.signedOn,
    activated_on: summary.activatedOn,
    last_position: summary.lastPosition.toString(),
    title_sort: foldForSearch(summary.title),
    city_sort: `${foldForSearch(proposer.name)} / ${foldForSearch(partner.name)}`,
    search_text: foldForSearch(`${summary.title} ${proposer.name} ${partner.name}`),
  } satisfies Record<(typeof AGREEMENT_COLUMNS)[number], unknown>;
};

/** The feed row of one event (`ACTIVITY_COLUMNS` order). */
const activityRow = (
  summary: AgreementSummary,
  stored: StoredAgreementEvent,
  businessDate: string,
): CopyValue[] => [
  stored.position,
  summary.agreementId,
  stored.revision,
  stored.event.type,
  summary.proposer.cityId,
  summary.proposer.name,
  summary.partner.cityId,
  summary.partner.name,
  summary.title,
  summary.state,
  JSON.stringify(stored.metadata.actor),
  businessDate,
  stored.storedAt,
];

/**
 * Rows travel as one JSON array per statement, turned into the table's own row type by
 * PostgreSQL: one parameter however many rows, and each column converted by its type.
 */
const rowsFrom = (schema: string, table: string, columns: readonly string[]): string =>
  `SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::"${schema}".${table}, $1::json)`;

const upsertAgreementsStatement = (schema: string): string =>
  `INSERT INTO "${schema}".agreements (${AGREEMENT_COLUMNS.join(', ')})
   ${rowsFrom(schema, 'agreements', AGREEMENT_COLUMNS)}
   ON CONFLICT (agreement_id) DO UPDATE SET
     ${CHANGING_COLUMNS.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}`;

/** The upsert's JSON parameter for these agreements' rows; `undefined` if there are none. */
const agreementRowsParameter = (summaries: Iterable<AgreementSummary>): string | undefined => {
  const rows = [...summaries].map(agreementRow);
  return rows.length === 0 ? undefined : JSON.stringify(rows);
};

/** Agreements' rows in COPY's text format, `summary` as its JSON text. */
const agreementCopyRows = (summaries: readonly AgreementSummary[]): CopyRows =>
  encodeCopyRows(
    AGREEMENT_COLUMNS,
    summaries.map((summary) => {
      const row = agreementRow(summary);
      return AGREEMENT_COLUMNS.map((column) =>
        column === 'summary' ? JSON.stringify(row[column]) : (row[column] as CopyValue),
      );
    }),
  );

/** Inserts or replaces agreement rows; at most one row per agreement in `summaries`. */
export const writeAgreements = async (
  tx: SqlQueryable,
  schema: string,
  summaries: Iterable<AgreementSummary>,
): Promise<void> => {
  const rows = agreementRowsParameter(summaries);
  if (rows === undefined) return;
  await tx.query(upsertAgreementsStatement(schema), [rows]);
};

const readSummaries = async (
  reader: SqlQueryable,
  schema: string,
  agreementIds: readonly string[],
): Promise<Map<string, AgreementSummary>> => {
  const { rows } = await reader.query<{ agreement_id: string; summary: StoredSummary }>(
    `SELECT agreement_id, summary FROM "${schema}".agreements WHERE agreement_id = ANY($1::uuid[])`,
    [agreementIds],
  );
  return new Map(rows.map((row) => [row.agreement_id, fromStoredSummary(row.summary)]));
};

/** A batch folded in memory: each touched agreement as the batch leaves it, and its rows. */
export interface PreparedAgreements {
  readonly summaries: ReadonlyMap<string, AgreementSummary>;
  /** The rows of agreements proposed in this batch, which no row of the table holds yet. */
  readonly newAgreements: CopyRows;
  /** The other changed agreements' rows, as the upsert's JSON parameter; `undefined` if none. */
  readonly agreementRows: string | undefined;
  /** One row per event applied: none when every event was passed over. */
  readonly activity: CopyRows;
}

/**
 * Folds a batch of events onto the rows they touch, each row read once (or taken from the batch
 * before, which may still be being written), and encodes the rows to write. Events already in a
 * row (delivered again) are passed over.
 */
const prepareBatch = async (
  reader: SqlQueryable,
  events: readonly RecordedEvent[],
  schema: string,
  previous: PreparedAgreements | undefined,
): Promise<PreparedAgreements> => {
  const batch = events.map((recorded) => {
    const agreementId = fromAgreementStreamId(recorded.streamId);
    if (!agreementId.ok) throw new SummaryMismatchError(agreementId.error.message);
    return { agreementId: agreementId.value, recorded };
  });
  const summaries = await rowsBefore(
    batch.map(({ agreementId }) => agreementId),
    previous?.summaries,
    (ids) => readSummaries(reader, schema, ids),
  );
  // Rows the table holds once the batches before this one are written; the others are new.
  const existing = new Set(summaries.keys());
  const changed = new Map<string, AgreementSummary>();
  const activity: CopyValue[][] = [];
  for (const [index, { agreementId, recorded }] of batch.entries()) {
    if (index > 0 && index % PREPARE_SLICE === 0) await letIoThrough();
    const before = summaries.get(agreementId) ?? null;
    if (before !== null && before.lastRevision >= recorded.revision) continue;
    const stored = decodeAgreementEvent(recorded);
    const businessDate = businessDateOf(stored.event);
    const summary = summariseAgreement(before, stored.event, {
      position: stored.position,
      revision: stored.revision,
      businessDate,
    });
    summaries.set(agreementId, summary);
    changed.set(agreementId, summary);
    activity.push(activityRow(summary, stored, businessDate));
  }
  await letIoThrough();
  const { created, updated } = splitByPresence(changed, existing);
  return {
    summaries,
    newAgreements: agreementCopyRows(created.map(([, summary]) => summary)),
    agreementRows: agreementRowsParameter(updated.map(([, summary]) => summary)),
    activity: encodeCopyRows(ACTIVITY_COLUMNS, activity),
  };
};

/**
 * Writes a prepared batch. New rows are appended with COPY, the cheapest way in (a row set from
 * a JSON parameter costs PostgreSQL about twice as much); only agreements that already have a row
 * take the upsert. An event already in a row was passed over, so its feed row is written once and
 * nothing can conflict.
 */
const writeBatch = async (
  tx: SqlQueryable,
  prepared: PreparedAgreements,
  schema: string,
): Promise<void> => {
  if (prepared.activity.count === 0) return;
  await tx.copyRows(`"${schema}".agreements`, prepared.newAgreements);
  if (prepared.agreementRows !== undefined) {
    await tx.query(upsertAgreementsStatement(schema), [prepared.agreementRows]);
  }
  await tx.copyRows(`"${schema}".agreement_activity`, prepared.activity);
};

/**
 * Agreements as lists, searches, city pages and statistics read them (`read.agreements`), and
 * the municipalities' activity feeds (`read.agreement_activity`: one row per event, in the feeds
 * of both party cities; a feed is one index range for each side).
 *
 * Version 2: one feed row per event, where version 1 (`municipality_activity`) had one per event
 * and party city.
 */
export const agreementsProjection: Projection<PreparedAgreements> = {
  name: 'agreements',
  version: 2,
  tables: AGREEMENTS_TABLES,
  // The prefix of `toAgreementStreamId`: only agreement streams feed these tables.
  filter: { streamPrefixes: ['agreement-'] },

  async setup(tx, schema) {
    await tx.exec(setupScript(schema));
  },

  batches: { prepare: prepareBatch, write: writeBatch },

  async apply(tx, recorded: RecordedEvent, schema) {
    await writeBatch(tx, await prepareBatch(tx, [recorded], schema, undefined), schema);
  },
};
