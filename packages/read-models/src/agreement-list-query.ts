import type { AgreementKind, LifecycleState } from '@twinning/domain';
import type { SqlQueryable } from '@twinning/sql';
import { agreementItemOf, type AgreementItem, type ReadScope } from './agreement-item.js';
import type { StoredSummary } from './agreements-projection.js';
import { InvalidCursorError, decodeCursor, encodeCursor } from './cursor.js';
import { prefixQueryOf } from './search-text.js';
import { SqlConditions } from './sql-conditions.js';

export const AGREEMENT_SORT_FIELDS = ['title', 'proposed', 'last_change', 'city'] as const;
export type AgreementSortField = (typeof AGREEMENT_SORT_FIELDS)[number];

export interface AgreementSort {
  readonly field: AgreementSortField;
  readonly direction: 'asc' | 'desc';
}

/** An inclusive range of ISO dates; either end may be open. */
export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}

export interface AgreementListRequest {
  readonly scope: ReadScope;
  readonly states?: readonly LifecycleState[];
  readonly kinds?: readonly AgreementKind[];
  /** Agreements where this city is either party. */
  readonly cityId?: string;
  /** Agreements where either party is in this country (ISO 3166-1 alpha-2). */
  readonly country?: string;
  /** Words to find in titles and city names, accent-insensitive, each as a prefix. */
  readonly text?: string;
  readonly proposed?: DateRange;
  readonly signed?: DateRange;
  readonly activated?: DateRange;
  readonly sort: AgreementSort;
  readonly cursor?: string;
  readonly limit: number;
}

export interface AgreementPage {
  readonly items: AgreementItem[];
  /** Pass it back as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

interface SortColumn {
  /** The column, kept unique with `agreement_id` as the second key. */
  readonly column: string;
  /** SQL that turns a cursor key (text) back into the column's type. */
  readonly cast: string;
  readonly keyPattern: RegExp;
}

const SORT_COLUMNS: Readonly<Record<AgreementSortField, SortColumn>> = {
  title: { column: 'title_sort', cast: '', keyPattern: /^[\s\S]*$/ },
  city: { column: 'city_sort', cast: '', keyPattern: /^[\s\S]*$/ },
  proposed: { column: 'proposed_on', cast: '::date', keyPattern: /^\d{4}-\d{2}-\d{2}$/ },
  last_change: { column: 'last_position', cast: '::bigint', keyPattern: /^\d{1,19}$/ },
};

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sortNameOf = (sort: AgreementSort): string =>
  `${sort.direction === 'desc' ? '-' : ''}${sort.field}`;

const addDateRange = (conditions: SqlConditions, column: string, range?: DateRange): void => {
  if (range?.from !== undefined)
    conditions.where(`${column} >= ${conditions.bind(range.from)}::date`);
  if (range?.to !== undefined) conditions.where(`${column} <= ${conditions.bind(range.to)}::date`);
};

/** Adds the restriction the caller's scope puts on every agreement query. */
export const addScope = (conditions: SqlConditions, scope: ReadScope): void => {
  if (scope.kind === 'municipality') {
    const city = conditions.bind(scope.cityId);
    conditions.where(`proposer_city_id = ${city} OR partner_city_id = ${city}`);
  }
};

/**
 * One page of agreements from `read.agreements`, filtered, searched and sorted, with keyset
 * pagination: a page costs the same however deep it is.
 */
export const listAgreements = async (
  sql: SqlQueryable,
  request: AgreementListRequest,
): Promise<AgreementPage> => {
  const conditions = new SqlConditions();
  addScope(conditions, request.scope);
  if (request.states !== undefined && request.states.length > 0) {
    conditions.where(`state = ANY(${conditions.bind(request.states)})`);
  }
  if (request.kinds !== undefined && request.kinds.length > 0) {
    conditions.where(`kind = ANY(${conditions.bind(request.kinds)})`);
  }
  if (request.cityId !== undefined) {
    const city = conditions.bind(request.cityId);
    conditions.where(`proposer_city_id = ${city} OR partner_city_id = ${city}`);
  }
  if (request.country !== undefined) {
    const country = conditions.bind(request.country);
    conditions.where(`proposer_country = ${country} OR partner_country = ${country}`);
  }
  if (request.text !== undefined) {
    const query = prefixQueryOf(request.text);
    // A query without a single word matches nothing rather than everything.
    conditions.where(
      query === undefined ? 'false' : `search @@ to_tsquery('simple', ${conditions.bind(query)})`,
    );
  }
  addDateRange(conditions, 'proposed_on', request.proposed);
  addDateRange(conditions, 'signed_on', request.signed);
  addDateRange(conditions, 'activated_on', request.activated);

  const sortName = sortNameOf(request.sort);
  const { column, cast, keyPattern } = SORT_COLUMNS[request.sort.field];
  const comparison = request.sort.direction === 'asc' ? '>' : '<';
  if (request.cursor !== undefined) {
    const cursor = decodeCursor(request.cursor, sortName);
    const key = String(cursor.key);
    if (!keyPattern.test(key) || !UUID_PATTERN.test(cursor.id)) {
      throw new InvalidCursorError('the cursor is not one this API returned');
    }
    conditions.where(
      `(${column}, agreement_id) ${comparison} (${conditions.bind(key)}${cast}, ${conditions.bind(cursor.id)}::uuid)`,
    );
  }

  const direction = request.sort.direction === 'asc' ? 'ASC' : 'DESC';
  const { rows } = await sql.query<{ summary: StoredSummary; sort_key: string }>(
    `SELECT summary, ${column}::text AS sort_key FROM read.agreements
     ${conditions.toSql()}
     ORDER BY ${column} ${direction}, agreement_id ${direction}
     LIMIT ${conditions.bind(request.limit + 1)}`,
    conditions.params,
  );
  const page = rows.slice(0, request.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => agreementItemOf(row.summary)),
    nextCursor:
      rows.length > request.limit && last !== undefined
        ? encodeCursor({ sort: sortName, key: last.sort_key, id: last.summary.agreementId })
        : null,
  };
};
