import { executeAgreementCommand } from '@twinning/agreements';
import {
  AgreementIdSchema,
  IsoDateSchema,
  type Actor,
  type AgreementId,
  type IsoDate,
} from '@twinning/domain';
import type { EventStore } from '@twinning/event-store';
import type { Reactor, RunnerLogger } from '@twinning/projections';
import { silentLogger } from '@twinning/projections';
import { EXPIRY_SCHEDULE_TABLE, expiryScheduleProjection } from './expiry-schedule.js';

export const EXPIRY_REACTOR_ACTOR: Actor = { subject: 'expiry-reactor', role: 'system' };

export interface ExpiryReactorOptions {
  readonly store: EventStore;
  /** System time. */
  readonly now: () => Date;
  /** The business day at a given time; the UTC calendar date by default. */
  readonly businessDate?: (at: Date) => IsoDate;
  /** How often due agreements are looked for; one minute by default. */
  readonly intervalMs?: number;
  readonly logger?: RunnerLogger;
}

/** The same agreement, end date and key every time: a repeated expiry appends nothing. */
export const expiryIdempotencyKey = (agreementId: AgreementId, endDate: IsoDate): string =>
  `expire:${agreementId}:${endDate}`;

const utcBusinessDate = (at: Date): IsoDate => IsoDateSchema.parse(at.toISOString().slice(0, 10));

/** A refused expiry is tried again after this long (the schedule may have moved meanwhile). */
const refusalBackoffMs = 60 * 60 * 1000;

interface DueRow {
  agreement_id: string;
  end_date: string;
  source_event_id: string;
}

/**
 * Expires fixed-term agreements once their end date is reached: `ExpireAgreement` through
 * `executeAgreementCommand`, like any command, as the system actor. Exactly once: the
 * idempotency key is derived from the agreement and its end date, so a second run (after a
 * crash, or in a second process) returns the first run's events instead of appending again.
 */
export const createExpiryReactor = (options: ExpiryReactorOptions): Reactor => {
  const businessDate = options.businessDate ?? utcBusinessDate;
  const logger = options.logger ?? silentLogger;
  const refusedUntil = new Map<string, number>();

  return {
    projection: expiryScheduleProjection,
    intervalMs: options.intervalMs ?? 60_000,
    async react({ sql, schema, signal }) {
      const today = businessDate(options.now());
      const { rows } = await sql.query<DueRow>(
        `SELECT agreement_id::text AS agreement_id, end_date::text AS end_date, source_event_id::text AS source_event_id
           FROM "${schema}".${EXPIRY_SCHEDULE_TABLE}
          WHERE in_force AND end_date <= $1::date ORDER BY end_date, agreement_id`,
        [today],
      );
      for (const row of rows) {
        if (signal.aborted) return;
        const agreementId = AgreementIdSchema.parse(row.agreement_id);
        const endDate = IsoDateSchema.parse(row.end_date);
        const key = expiryIdempotencyKey(agreementId, endDate);
        if ((refusedUntil.get(key) ?? 0) > Date.now()) continue;
        const result = await executeAgreementCommand(
          { store: options.store, now: options.now, citiesWithClerks: () => Promise.resolve([]) },
          {
            agreementId,
            command: {
              type: 'ExpireAgreement',
              agreementId,
              actor: EXPIRY_REACTOR_ACTOR,
              expiredOn: today,
            },
            idempotencyKey: key,
            correlationId: key,
            causationId: row.source_event_id,
          },
        );
        if (result.ok) {
          refusedUntil.delete(key);
          logger.info(
            { agreementId, endDate, expiredOn: today, replayed: result.value.replayed },
            result.value.replayed ? 'agreement had already expired' : 'agreement expired',
          );
          continue;
        }
        refusedUntil.set(key, Date.now() + refusalBackoffMs);
        logger.warn(
          {
            agreementId,
            endDate,
            failure: result.error.kind,
            ...(result.error.kind === 'rejected' ? { reason: result.error.error.reason } : {}),
          },
          'the lifecycle refused to expire the agreement',
        );
      }
    },
  };
};
