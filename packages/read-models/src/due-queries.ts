import type { LifecycleState, PartyRole } from '@twinning/domain';
import type { SqlQueryable } from '@twinning/sql';
import { agreementItemOf, type AgreementItem, type ReadScope } from './agreement-item.js';
import type { StoredSummary } from './agreements-projection.js';
import type { PartyProgress } from './agreement-summary.js';
import { addScope } from './agreement-list-query.js';
import { SqlConditions } from './sql-conditions.js';

/** What one party still has to do before the agreement is signed. */
export interface OutstandingAct {
  readonly party: PartyRole;
  readonly cityId: string;
  readonly name: string;
  readonly act: 'council_approval' | 'signature';
}

export interface PendingSignature {
  readonly agreement: AgreementItem;
  readonly outstanding: OutstandingAct[];
}

export interface ExpiringAgreement {
  readonly agreement: AgreementItem;
  readonly endDate: string;
  /** Days from the reference date to the end date. */
  readonly daysLeft: number;
}

const SIGNING_STATES: readonly LifecycleState[] = ['negotiated', 'partially_signed'];

const outstandingOf = (party: PartyRole, progress: PartyProgress): OutstandingAct[] => {
  if (progress.signed) return [];
  const who = { party, cityId: progress.cityId, name: progress.name };
  return [
    ...(progress.councilApprovalRequired && !progress.councilApproved
      ? [{ ...who, act: 'council_approval' as const }]
      : []),
    { ...who, act: 'signature' as const },
  ];
};

/** Agreements whose terms are agreed but not yet signed by both, with what each side still owes. */
export const pendingSignatures = async (
  sql: SqlQueryable,
  request: { readonly scope: ReadScope; readonly limit: number },
): Promise<PendingSignature[]> => {
  const conditions = new SqlConditions();
  addScope(conditions, request.scope);
  conditions.where(`state = ANY(${conditions.bind(SIGNING_STATES)})`);
  const { rows } = await sql.query<{ summary: StoredSummary }>(
    `SELECT summary FROM read.agreements ${conditions.toSql()}
      ORDER BY proposed_on, agreement_id LIMIT ${conditions.bind(request.limit)}`,
    conditions.params,
  );
  return rows.map(({ summary }) => ({
    agreement: agreementItemOf(summary),
    outstanding: [
      ...outstandingOf('proposer', summary.proposer),
      ...outstandingOf('partner', summary.partner),
    ],
  }));
};

const DAY_MS = 86_400_000;

/** Fixed-term active agreements whose end date falls within `withinDays` days from `on`. */
export const expiringAgreements = async (
  sql: SqlQueryable,
  request: {
    readonly scope: ReadScope;
    readonly on: string;
    readonly withinDays: number;
    readonly limit: number;
  },
): Promise<ExpiringAgreement[]> => {
  const conditions = new SqlConditions();
  addScope(conditions, request.scope);
  conditions.where(`state = 'active' AND end_date IS NOT NULL`);
  const on = conditions.bind(request.on);
  conditions.where(
    `end_date BETWEEN ${on}::date AND ${on}::date + ${conditions.bind(request.withinDays)}::int`,
  );
  const { rows } = await sql.query<{ summary: StoredSummary }>(
    `SELECT summary FROM read.agreements ${conditions.toSql()}
      ORDER BY end_date, agreement_id LIMIT ${conditions.bind(request.limit)}`,
    conditions.params,
  );
  const from = Date.parse(`${request.on}T00:00:00Z`);
  return rows.flatMap(({ summary }) => {
    const endDate = summary.endDate;
    if (endDate === null) return [];
    return [
      {
        agreement: agreementItemOf(summary),
        endDate,
        daysLeft: Math.round((Date.parse(`${endDate}T00:00:00Z`) - from) / DAY_MS),
      },
    ];
  });
};
