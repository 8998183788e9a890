import type { Actor, DecisionContext, Evidence, PartyRole } from '../actor.js';
import type {
  AcceptTerms,
  ActivateAgreement,
  CounterProposeTerms,
  DeclineProposal,
  ExpireAgreement,
  ProposeAgreement,
  ReinstateAgreement,
  RecordCouncilApproval,
  RecordSignature,
  RenewAgreement,
  SuspendAgreement,
  TerminateAgreement,
  WithdrawProposal,
} from '../commands.js';
import {
  AgreementIdSchema,
  CityIdSchema,
  IsoDateSchema,
  type AgreementId,
  type IsoDate,
} from '../ids.js';
import { TermsSchema, type Party, type Terms } from '../terms.js';

/** Readable builders for tests: cities, clerks and the commands of one agreement's story. */

export const date = (value: string): IsoDate => IsoDateSchema.parse(value);
export const agreementId = (value: string): AgreementId => AgreementIdSchema.parse(value);

export const city = (
  cityId: string,
  name: string,
  country: string,
  councilApprovalRequired: boolean,
): Party => ({ cityId: CityIdSchema.parse(cityId), name, country, councilApprovalRequired });

export const coventry = city('gb-coventry', 'Coventry', 'GB', true);
/** Stalingrad in 1944, Volgograd since 1961: one city, one stable id. */
export const stalingrad = city('ru-volgograd', 'Stalingrad', 'RU', false);
export const dresden = city('de-dresden', 'Dresden', 'DE', true);
export const kiel = city('de-kiel', 'Kiel', 'DE', false);

export const clerkOf = (party: Party, subject = `clerk@${party.cityId}`): Actor => ({
  subject,
  displayName: `Clerk of ${party.name}`,
  role: 'clerk',
  municipality: party.cityId,
});
export const expiryReactor: Actor = { subject: 'expiry-reactor', role: 'system' };
export const auditor: Actor = { subject: 'auditor@example.org', role: 'auditor' };

export const terms = (overrides: Partial<Terms> = {}): Terms =>
  TermsSchema.parse({
    title: 'Twinning of our cities',
    purpose: 'Friendship and exchange between our peoples',
    areasOfExchange: ['culture', 'youth'],
    kind: 'sister_city',
    startDate: '2020-01-01',
    ...overrides,
  });

interface ActedBy {
  /** Defaults to a clerk of the party's own city. */
  readonly by?: Actor;
  readonly evidence?: Evidence;
}

export interface StoryOptions {
  readonly id?: AgreementId;
  readonly proposer: Party;
  readonly partner: Party;
  readonly terms?: Terms;
}

/** The commands of one agreement between two cities, each with sensible defaults. */
export const storyOf = (options: StoryOptions) => {
  const id = options.id ?? agreementId('0b8e6a3c-4f1d-4c2a-9e7b-5d6f7a8b9c0d');
  const { proposer, partner } = options;
  const cityOf = (party: PartyRole): Party => (party === 'proposer' ? proposer : partner);
  const actor = (party: PartyRole, acted: ActedBy): Actor => acted.by ?? clerkOf(cityOf(party));
  const evidence = (acted: ActedBy) =>
    acted.evidence === undefined ? {} : { evidence: acted.evidence };

  return {
    id,
    proposer,
    partner,
    /** Both cities have clerks: each records its own acts. */
    bothRepresented: {
      citiesWithClerks: [proposer.cityId, partner.cityId],
    } satisfies DecisionContext,
    /** Only the proposer's city has clerks. */
    onlyProposerRepresented: { citiesWithClerks: [proposer.cityId] } satisfies DecisionContext,

    propose: (on: string, acted: ActedBy & { terms?: Terms } = {}): ProposeAgreement => ({
      type: 'ProposeAgreement',
      agreementId: id,
      actor: actor('proposer', acted),
      proposer,
      partner,
      terms: acted.terms ?? options.terms ?? terms(),
      proposedOn: date(on),
    }),
    counterPropose: (
      party: PartyRole,
      on: string,
      newTerms: Terms,
      acted: ActedBy = {},
    ): CounterProposeTerms => ({
      type: 'CounterProposeTerms',
      agreementId: id,
      actor: actor(party, acted),
      party,
      terms: newTerms,
      proposedOn: date(on),
    }),
    accept: (
      party: PartyRole,
      on: string,
      acted: ActedBy & { version?: number } = {},
    ): AcceptTerms => ({
      type: 'AcceptTerms',
      agreementId: id,
      actor: actor(party, acted),
      party,
      termsVersion: acted.version ?? 1,
      acceptedOn: date(on),
      ...evidence(acted),
    }),
    approve: (
      party: PartyRole,
      on: string,
      acted: ActedBy & { version?: number; resolution?: string } = {},
    ): RecordCouncilApproval => ({
      type: 'RecordCouncilApproval',
      agreementId: id,
      actor: actor(party, acted),
      party,
      termsVersion: acted.version ?? 1,
      resolutionReference: acted.resolution ?? `${cityOf(party).name} council resolution`,
      approvedOn: date(on),
      ...evidence(acted),
    }),
    sign: (
      party: PartyRole,
      on: string,
      acted: ActedBy & {
        version?: number;
        signatory?: { name: string; title: string };
        place?: string;
      } = {},
    ): RecordSignature => ({
      type: 'RecordSignature',
      agreementId: id,
      actor: actor(party, acted),
      party,
      termsVersion: acted.version ?? 1,
      signatory: acted.signatory ?? { name: `Mayor of ${cityOf(party).name}`, title: 'Mayor' },
      signedOn: date(on),
      place: acted.place ?? cityOf(party).name,
      ...evidence(acted),
    }),
    activate: (party: PartyRole, on: string, acted: ActedBy = {}): ActivateAgreement => ({
      type: 'ActivateAgreement',
      agreementId: id,
      actor: actor(party, acted),
      party,
      effectiveOn: date(on),
    }),
    suspend: (
      party: PartyRole,
      on: string,
      acted: ActedBy & { reason?: string; resolution?: string } = {},
    ): SuspendAgreement => ({
      type: 'SuspendAgreement',
      agreementId: id,
      actor: actor(party, acted),
      party,
      reason: acted.reason ?? 'suspended by council vote',
      ...(acted.resolution === undefined ? {} : { councilResolutionReference: acted.resolution }),
      suspendedOn: date(on),
    }),
    reinstate: (party: PartyRole, on: string, acted: ActedBy = {}): ReinstateAgreement => ({
      type: 'ReinstateAgreement',
      agreementId: id,
      actor: actor(party, acted),
      party,
      reinstatedOn: date(on),
    }),
    renew: (
      party: PartyRole,
      on: string,
      newEndDate: string,
      acted: ActedBy = {},
    ): RenewAgreement => ({
      type: 'RenewAgreement',
      agreementId: id,
      actor: actor(party, acted),
      party,
      newEndDate: date(newEndDate),
      renewedOn: date(on),
    }),
    terminate: (
      party: PartyRole,
      on: string,
      acted: ActedBy & { reason?: string } = {},
    ): TerminateAgreement => ({
      type: 'TerminateAgreement',
      agreementId: id,
      actor: actor(party, acted),
      party,
      reason: acted.reason ?? 'terminated by council vote',
      terminatedOn: date(on),
    }),
    withdraw: (on: string, acted: ActedBy = {}): WithdrawProposal => ({
      type: 'WithdrawProposal',
      agreementId: id,
      actor: actor('proposer', acted),
      withdrawnOn: date(on),
    }),
    decline: (on: string, acted: ActedBy & { reason?: string } = {}): DeclineProposal => ({
      type: 'DeclineProposal',
      agreementId: id,
      actor: actor('partner', acted),
      reason: acted.reason ?? 'not now',
      declinedOn: date(on),
    }),
    expire: (on: string, acted: ActedBy = {}): ExpireAgreement => ({
      type: 'ExpireAgreement',
      agreementId: id,
      actor: acted.by ?? expiryReactor,
      expiredOn: date(on),
    }),
  };
};

export type AgreementStory = ReturnType<typeof storyOf>;
