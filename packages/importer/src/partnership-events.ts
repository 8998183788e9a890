import { businessDateOf, encodeAgreementEvent, type EventMetadata } from '@twinning/agreements';
import {
  decide,
  evolve,
  initialState,
  IsoDateSchema,
  TermsSchema,
  type Actor,
  type Command,
  type DecisionContext,
  type IsoDate,
  type Party,
} from '@twinning/domain';
import type { EventToAppend } from '@twinning/event-store';
import { v5 as uuidv5 } from 'uuid';
import type { Partnership } from './partnerships.js';
import type { LinkedCity } from './twinning-links.js';

export const WIKIPEDIA_ATTRIBUTION =
  'Wikipedia contributors, "List of twin towns and sister cities" (CC BY-SA 4.0)';

/** Namespace of imported event ids: a re-run appends the very same events, or none. */
const IMPORTED_EVENT_NAMESPACE = '4b0c2a7e-8d1f-4e63-a5b9-2f7c9e3d6a18';

export interface ImportSettings {
  /** The data has no dates: every act is dated on this illustrative day. */
  readonly illustrativeDate: IsoDate;
  /** System time written as `recordedAt`. */
  readonly recordedAt: Date;
  readonly correlationId: string;
}

export const DEFAULT_ILLUSTRATIVE_DATE = IsoDateSchema.parse('2000-01-01');

/** A domain command the lifecycle refused: the import stops rather than write a partial story. */
export class ImportRejectedError extends Error {
  override readonly name = 'ImportRejectedError';
}

const partyOf = (city: LinkedCity): Party => ({
  cityId: city.cityId,
  name: city.name,
  country: city.country,
  // The source says nothing of council approvals; none is recorded.
  councilApprovalRequired: false,
});

/**
 * The commands that take one partnership from proposal to active. The proposer's city records
 * the partner's acts on its behalf, with the Wikipedia list as evidence, as a clerk would for a
 * partner city that has no clerks of its own.
 */
export const partnershipCommands = (
  partnership: Partnership,
  on: IsoDate,
): { readonly commands: Command[]; readonly context: DecisionContext } => {
  const proposer = partyOf(partnership.proposer);
  const partner = partyOf(partnership.partner);
  const actor: Actor = {
    subject: 'import:wikipedia',
    displayName: 'Wikipedia import',
    role: 'clerk',
    municipality: proposer.cityId,
  };
  const evidence = { reference: WIKIPEDIA_ATTRIBUTION };
  const agreementId = partnership.agreementId;
  const signatory = (city: Party) => ({ name: `Mayor of ${city.name}`, title: 'Mayor' });
  const terms = TermsSchema.parse({
    title: `Twinning of ${proposer.name} and ${partner.name}`,
    purpose: `Sister-city partnership listed by ${WIKIPEDIA_ATTRIBUTION}; the date is illustrative.`,
    areasOfExchange: ['culture'],
    kind: 'sister_city',
    startDate: on,
  });
  const act = { agreementId, actor };
  return {
    context: { citiesWithClerks: [proposer.cityId] },
    commands: [
      { type: 'ProposeAgreement', ...act, proposer, partner, terms, proposedOn: on },
      { type: 'AcceptTerms', ...act, party: 'proposer', termsVersion: 1, acceptedOn: on },
      { type: 'AcceptTerms', ...act, party: 'partner', termsVersion: 1, acceptedOn: on, evidence },
      {
        type: 'RecordSignature',
        ...act,
        party: 'proposer',
        termsVersion: 1,
        signatory: signatory(proposer),
        signedOn: on,
        place: proposer.name,
      },
      {
        type: 'RecordSignature',
        ...act,
        party: 'partner',
        termsVersion: 1,
        signatory: signatory(partner),
        signedOn: on,
        place: partner.name,
        evidence,
      },
      { type: 'ActivateAgreement', ...act, party: 'proposer', effectiveOn: on },
    ],
  };
};

/**
 * Every event of one imported partnership, decided by the lifecycle machine command by command
 * exactly as the API would, with the metadata the API would write. Event ids derive from the
 * agreement id, so the append is idempotent.
 */
export const partnershipEvents = (
  partnership: Partnership,
  settings: ImportSettings,
): EventToAppend[] => {
  const { commands, context } = partnershipCommands(partnership, settings.illustrativeDate);
  let state = initialState;
  const toAppend: EventToAppend[] = [];
  const recordedOn = settings.recordedAt.toISOString().slice(0, 10);
  for (const command of commands) {
    const decision = decide(command, state, context);
    if (!decision.ok) {
      throw new ImportRejectedError(
        `${partnership.agreementId} ${command.type}: ${decision.error.reason} (${decision.error.message})`,
      );
    }
    for (const event of decision.value) {
      state = evolve(state, event);
      const occurredOn = businessDateOf(event);
      const metadata: EventMetadata = {
        actor: command.actor,
        correlationId: settings.correlationId,
        causationId: `wikipedia:${partnership.lines.join(',')}`,
        recordedAt: settings.recordedAt.toISOString(),
        ...(occurredOn !== recordedOn ? { occurredAt: occurredOn } : {}),
        machineVersion: state.machineVersion,
        schemaVersion: event.schemaVersion,
        commandType: command.type,
      };
      const id = uuidv5(`${partnership.agreementId}:${toAppend.length}`, IMPORTED_EVENT_NAMESPACE);
      toAppend.push(encodeAgreementEvent(id, event, metadata));
    }
  }
  return toAppend;
};
