import { randomUUID } from 'node:crypto';
import { encodeAgreementEvent, type EventMetadata } from '@twinning/agreements';
import {
  AgreementIdSchema,
  CityIdSchema,
  IsoDateSchema,
  MACHINE_VERSION,
  toAgreementStreamId,
  type AgreementEvent,
  type AgreementId,
  type Party,
} from '@twinning/domain';
import type { EventStore, EventToAppend } from '@twinning/event-store';

/** Agreement events as the API would store them, for tests and benchmarks of webhook delivery. */

export const cityParty = (cityId: string, name: string, country: string): Party => ({
  cityId: CityIdSchema.parse(cityId),
  name,
  country,
  councilApprovalRequired: false,
});

export const coventry = cityParty('gb-coventry', 'Coventry', 'GB');
export const volgograd = cityParty('ru-volgograd', 'Volgograd', 'RU');
export const kiel = cityParty('de-kiel', 'Kiel', 'DE');
export const dresden = cityParty('de-dresden', 'Dresden', 'DE');

const metadataFor = (event: AgreementEvent): EventMetadata => ({
  actor: {
    subject: 'clerk@gb-coventry',
    role: 'clerk',
    municipality: CityIdSchema.parse('gb-coventry'),
  },
  correlationId: randomUUID(),
  causationId: randomUUID(),
  recordedAt: new Date().toISOString(),
  machineVersion: MACHINE_VERSION,
  schemaVersion: event.schemaVersion,
  commandType: event.type === 'AgreementProposed' ? 'ProposeAgreement' : 'AcceptTerms',
});

const encoded = (event: AgreementEvent): EventToAppend =>
  encodeAgreementEvent(randomUUID(), event, metadataFor(event));

export const proposalOf = (
  agreementId: AgreementId,
  proposer: Party,
  partner: Party,
): EventToAppend =>
  encoded({
    type: 'AgreementProposed',
    schemaVersion: 1,
    data: {
      agreementId,
      machineVersion: MACHINE_VERSION,
      proposer,
      partner,
      terms: {
        version: 1,
        title: `Twinning of ${proposer.name} and ${partner.name}`,
        purpose: 'Friendship and exchange between our peoples',
        areasOfExchange: ['culture', 'youth'],
        kind: 'sister_city',
        startDate: IsoDateSchema.parse('1944-01-01'),
      },
      proposedOn: IsoDateSchema.parse('1944-01-01'),
    },
  });

/** A follow-up event; its `termsVersion` carries a sequence number for assertions. */
export const acceptanceOf = (sequence: number): EventToAppend =>
  encoded({
    type: 'TermsAccepted',
    schemaVersion: 1,
    data: {
      party: 'partner',
      termsVersion: sequence,
      acceptedOn: IsoDateSchema.parse('1944-02-01'),
    },
  });

export const newAgreementId = (): AgreementId => AgreementIdSchema.parse(randomUUID());

/** Appends a proposal and `followUps` acceptances to a new agreement; returns its id. */
export const appendAgreement = async (
  store: EventStore,
  parties: { proposer: Party; partner: Party },
  followUps: number,
): Promise<AgreementId> => {
  const id = newAgreementId();
  await store.appendToStream(
    toAgreementStreamId(id),
    [
      proposalOf(id, parties.proposer, parties.partner),
      ...Array.from({ length: followUps }, (_, index) => acceptanceOf(index + 1)),
    ],
    { expectedRevision: 'no_stream' },
  );
  return id;
};
