import { decodeAgreementEvent } from '@twinning/agreements';
import { fromAgreementStreamId } from '@twinning/domain';
import type { Projection } from '@twinning/projections';

export const EXPIRY_SCHEDULE_TABLE = 'agreement_expiry_schedule';

/** The events that set an end date, bring an agreement into force, or end it. */
const SCHEDULE_EVENT_TYPES = [
  'AgreementProposed',
  'TermsCounterProposed',
  'AgreementActivated',
  'AgreementRenewed',
  'AgreementExpired',
  'AgreementTerminated',
  'ProposalWithdrawn',
  'ProposalDeclined',
] as const;

/**
 * The expiry reactor's own state, built from events like a read model: per agreement, the end
 * date of its current terms and whether it is in force. An agreement that ends in any way leaves
 * the schedule. `source_event_id` is the event that last set the date or brought the agreement
 * into force: the cause the expiry records.
 */
export const expiryScheduleProjection: Projection = {
  name: 'expiry_schedule',
  version: 1,
  tables: [EXPIRY_SCHEDULE_TABLE],
  filter: { streamPrefixes: ['agreement-'], eventTypes: SCHEDULE_EVENT_TYPES },
  async setup(tx, schema) {
    await tx.exec(`
      CREATE TABLE "${schema}".${EXPIRY_SCHEDULE_TABLE} (
        agreement_id uuid PRIMARY KEY,
        end_date date,
        in_force boolean NOT NULL,
        source_event_id uuid NOT NULL
      );
      CREATE INDEX ${EXPIRY_SCHEDULE_TABLE}_due
        ON "${schema}".${EXPIRY_SCHEDULE_TABLE} (end_date) WHERE in_force;
    `);
  },
  async apply(tx, recorded, schema) {
    const agreementId = fromAgreementStreamId(recorded.streamId);
    if (!agreementId.ok) throw new Error(agreementId.error.message);
    const { event } = decodeAgreementEvent(recorded);
    const table = `"${schema}".${EXPIRY_SCHEDULE_TABLE}`;
    const setEndDate = (endDate: string | undefined) =>
      tx.query(
        `INSERT INTO ${table} (agreement_id, end_date, in_force, source_event_id)
         VALUES ($1, $2, false, $3)
         ON CONFLICT (agreement_id) DO UPDATE
           SET end_date = EXCLUDED.end_date, source_event_id = EXCLUDED.source_event_id`,
        [agreementId.value, endDate ?? null, recorded.id],
      );
    switch (event.type) {
      case 'AgreementProposed':
      case 'TermsCounterProposed':
        await setEndDate(event.data.terms.endDate);
        return;
      case 'AgreementRenewed':
        await setEndDate(event.data.newEndDate);
        return;
      case 'AgreementActivated':
        await tx.query(
          `UPDATE ${table} SET in_force = true, source_event_id = $2 WHERE agreement_id = $1`,
          [agreementId.value, recorded.id],
        );
        return;
      case 'AgreementExpired':
      case 'AgreementTerminated':
      case 'ProposalWithdrawn':
      case 'ProposalDeclined':
        await tx.query(`DELETE FROM ${table} WHERE agreement_id = $1`, [agreementId.value]);
        return;
      case 'TermsAccepted':
      case 'TermsAgreed':
      case 'CouncilApprovalRecorded':
      case 'SignatureRecorded':
      case 'AgreementSigned':
      case 'AgreementSuspended':
      case 'AgreementReinstated':
        // Filtered out: none of them moves the end date or the agreement's being in force.
        return;
      default: {
        const _exhaustive: never = event;
        throw new Error(`unknown agreement event ${JSON.stringify(_exhaustive)}`);
      }
    }
  },
};
