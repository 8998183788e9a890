import type { SqlQueryable } from '@twinning/sql';

export interface AgreementStatistics {
  readonly total: number;
  readonly byState: Readonly<Record<string, number>>;
  readonly byKind: Readonly<Record<string, number>>;
  /** Pairs of ISO country codes in alphabetical order, most agreements first. */
  readonly byCountryPair: { countries: [string, string]; readonly count: number }[];
  /** Partnerships activated per calendar year of their activation date. */
  readonly activatedPerYear: { readonly year: number; readonly count: number }[];
}

interface CountRow {
  by_state: boolean;
  by_kind: boolean;
  by_pair: boolean;
  state: string | null;
  kind: string | null;
  first_country: string | null;
  second_country: string | null;
  year: number | null;
  count: string;
}

// Plain code-point order, as the codes and state names are ASCII: the same on every database.
const compareText = (a: string | null, b: string | null): number =>
  (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;

/** Counts over every agreement: public figures, the same for every caller. */
export const agreementStatistics = async (
  sql: SqlQueryable,
  options: { readonly countryPairLimit: number },
): Promise<AgreementStatistics> => {
  // One pass over a covering index serves every count (GROUPING SETS), not one scan per count.
  const { rows } = await sql.query<CountRow>(
    `SELECT GROUPING(state) = 0 AS by_state, GROUPING(kind) = 0 AS by_kind,
            GROUPING(least(proposer_country, partner_country)) = 0 AS by_pair,
            state, kind,
            least(proposer_country, partner_country) AS first_country,
            greatest(proposer_country, partner_country) AS second_country,
            extract(year FROM activated_on)::int AS year,
            count(*) AS count
       FROM read.agreements
      GROUP BY GROUPING SETS (
        (state), (kind),
        (least(proposer_country, partner_country), greatest(proposer_country, partner_country)),
        (extract(year FROM activated_on)::int)
      )`,
  );
  const byState = rows.filter((row) => row.by_state);
  const byKind = rows.filter((row) => row.by_kind);
  const pairs = rows
    .filter((row) => row.by_pair)
    .sort(
      (a, b) =>
        Number(b.count) - Number(a.count) ||
        compareText(a.first_country, b.first_country) ||
        compareText(a.second_country, b.second_country),
    )
    .slice(0, options.countryPairLimit);
  const years = rows
    .filter((row) => !row.by_state && !row.by_kind && !row.by_pair && row.year !== null)
    .sort((a, b) => (a.year ?? 0) - (b.year ?? 0));
  const countsBy = (selected: readonly CountRow[], key: (row: CountRow) => string | null) =>
    Object.fromEntries(
      [...selected]
        .sort((a, b) => compareText(key(a), key(b)))
        .map((row): [string, number] => [key(row) ?? '', Number(row.count)]),
    );
  const states = countsBy(byState, (row) => row.state);
  return {
    total: Object.values(states).reduce((sum, count) => sum + count, 0),
    byState: states,
    byKind: countsBy(byKind, (row) => row.kind),
    byCountryPair: pairs.map((row) => ({
      countries: [row.first_country ?? '', row.second_country ?? ''],
      count: Number(row.count),
    })),
    activatedPerYear: years.map((row) => ({ year: Number(row.year), count: Number(row.count) })),
  };
};
