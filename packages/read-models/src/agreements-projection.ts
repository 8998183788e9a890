import {
  businessDateOf,
  decodeAgreementEvent,
  type StoredAgreementEvent,
} from '@twinning/agreements';
import { fromAgreementStreamId, type PartyRole } from '@twinning/domain';
import type { RecordedEvent } from '@twinning/event-store';
import type { Projection } from '@twinning/projections';
import type { SqlParam, SqlTransaction } from '@twinning/sql';
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

const AGREEMENTS_TABLES = ['agreements', 'municipality_activity'] as const;

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

  CREATE TABLE "${schema}".municipality_activity (
    city_id          text NOT NULL,
    position         bigint NOT NULL,
    agreement_id     uuid NOT NULL,
    revision         bigint NOT NULL,
    event_type       text NOT NULL,
    party            text NOT NULL,
    partner_city_id  text NOT NULL,
    partner_name     text NOT NULL,
    title            text NOT NULL,
    state_after      text NOT NULL,
    actor            jsonb NOT NULL,
    business_date    date NOT NULL,
    recorded_at      timestamptz NOT NULL,
    PRIMARY KEY (city_id, position)
  );
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
  'city_id',
  'position',
  'agreement_id',
  'revision',
  'event_type',
  'party',
  'partner_city_id',
  'partner_name',
  'title',
  'state_after',
  'actor',
  'business_date',
  'recorded_at',
] as const;

const placeholders = (count: number, offset: number, jsonAt: number): string =>
  `(${Array.from({ length: count }, (_, index) => `$${offset + index + 1}${index === jsonAt ? '::jsonb' : ''}`).join(', ')})`;

/** The row and both activity entries in one statement: one round trip per event, not three. */
const writeStatement = (schema: string): string => `
  WITH upserted AS (
    INSERT INTO "${schema}".agreements (${AGREEMENT_COLUMNS.join(', ')})
    VALUES ${placeholders(AGREEMENT_COLUMNS.length, 0, 1)}
    ON CONFLICT (agreement_id) DO UPDATE SET
      ${CHANGING_COLUMNS.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}
    RETURNING 1
  )
  INSERT INTO "${schema}".municipality_activity (${ACTIVITY_COLUMNS.join(', ')})
  VALUES ${placeholders(ACTIVITY_COLUMNS.length, AGREEMENT_COLUMNS.length, 10)},
         ${placeholders(ACTIVITY_COLUMNS.length, AGREEMENT_COLUMNS.length + ACTIVITY_COLUMNS.length, 10)}
  ON CONFLICT (city_id, position) DO NOTHING`;

/** The row values of one summary, in `AGREEMENT_COLUMNS` order. */
export const agreementValues = (summary: AgreementSummary): SqlParam[] => {
  const { proposer, partner } = summary;
  return [
    summary.agreementId,
    JSON.stringify(toStoredSummary(summary)),
    summary.title,
    summary.kind,
    summary.state,
    proposer.cityId,
    proposer.country,
    partner.cityId,
    partner.country,
    summary.startDate,
    summary.endDate,
    summary.proposedOn,
    summary.signedOn,
    summary.activatedOn,
    summary.lastPosition,
    foldForSearch(summary.title),
    `${foldForSearch(proposer.name)} / ${foldForSearch(partner.name)}`,
    foldForSearch(`${summary.title} ${proposer.name} ${partner.name}`),
  ];
};

const activityValues = (
  summary: AgreementSummary,
  stored: StoredAgreementEvent,
  party: PartyRole,
): SqlParam[] => {
  const other = summary[party === 'proposer' ? 'partner' : 'proposer'];
  return [
    summary[party].cityId,
    stored.position,
    summary.agreementId,
    stored.revision,
    stored.event.type,
    party,
    other.cityId,
    other.name,
    summary.title,
    summary.state,
    JSON.stringify(stored.metadata.actor),
    businessDateOf(stored.event),
    stored.storedAt,
  ];
};

const readSummary = async (
  tx: SqlTransaction,
  schema: string,
  agreementId: string,
): Promise<AgreementSummary | null> => {
  const { rows } = await tx.query<{ summary: StoredSummary }>(
    `SELECT summary FROM "${schema}".agreements WHERE agreement_id = $1`,
    [agreementId],
  );
  return rows[0] === undefined ? null : fromStoredSummary(rows[0].summary);
};

/**
 * Summaries this transaction has written, so the next event of the same agreement in the batch
 * needs no read (an agreement's events mostly arrive together). Keyed by the transaction
 * object: a rolled-back transaction takes its entries with it, and the next batch starts empty.
 */
const writtenInTransaction = new WeakMap<
  SqlTransaction,
  Map<string, Map<string, AgreementSummary>>
>();

const summariesWrittenIn = (tx: SqlTransaction, schema: string): Map<string, AgreementSummary> => {
  const bySchema = writtenInTransaction.get(tx) ?? new Map<string, Map<string, AgreementSummary>>();
  writtenInTransaction.set(tx, bySchema);
  const summaries = bySchema.get(schema) ?? new Map<string, AgreementSummary>();
  bySchema.set(schema, summaries);
  return summaries;
};

/**
 * Agreements as lists, searches, city pages and statistics read them (`read.agreements`), and
 * each municipality's activity feed (`read.municipality_activity`: one row per event and party
 * city, so a feed is one index range).
 */
export const agreementsProjection: Projection = {
  name: 'agreements',
  version: 1,
  tables: AGREEMENTS_TABLES,
  // The prefix of `toAgreementStreamId`: only agreement streams feed these tables.
  filter: { streamPrefixes: ['agreement-'] },

  async setup(tx, schema) {
    await tx.exec(setupScript(schema));
  },

  async apply(tx, recorded: RecordedEvent, schema) {
    const agreementId = fromAgreementStreamId(recorded.streamId);
    if (!agreementId.ok) throw new SummaryMismatchError(agreementId.error.message);
    const stored = decodeAgreementEvent(recorded);
    const cache = summariesWrittenIn(tx, schema);
    const previous = cache.has(agreementId.value)
      ? (cache.get(agreementId.value) ?? null)
      : await readSummary(tx, schema, agreementId.value);
    // Delivered again (at-least-once): the row already holds this event.
    if (previous !== null && previous.lastRevision >= stored.revision) return;

    const summary = summariseAgreement(previous, stored.event, {
      position: stored.position,
      revision: stored.revision,
      businessDate: businessDateOf(stored.event),
    });
    await tx.query(writeStatement(schema), [
      ...agreementValues(summary),
      ...activityValues(summary, stored, 'proposer'),
      ...activityValues(summary, stored, 'partner'),
    ]);
    cache.set(agreementId.value, summary);
  },
};
