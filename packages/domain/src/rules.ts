import { businessDateOf } from './business-date.js';
import type { Actor, DecisionContext, PartyRole } from './actor.js';
import type { AgreementRecord } from './agreement-record.js';
import type { RejectionReason } from './domain-error.js';
import type { AgreementEvent, AgreementEventOf, AgreementEventType } from './events.js';
import type { Party } from './terms.js';
import { isFixedTerm } from './terms.js';

/**
 * The business rules, one named predicate each, with the reason a rejection gives when it fails.
 * The lifecycle machine uses them as its guards (`and(RULES_FOR[fact])`), `decide` names the first
 * one that fails to explain a refusal, and `allowedCommands` evaluates the ones that do not depend
 * on a command's payload. They are written once, here.
 */

/** Who asked, and the outside facts they asked under. Present while deciding, absent on replay. */
export interface Decision {
  readonly actor: Actor;
  readonly context: DecisionContext;
}

/**
 * What the machine consumes: a domain event (a fact), and while deciding, the decision that
 * proposes it. Authority is judged at decision time only: it depends on facts outside the stream
 * (which cities have clerks today), and a recorded fact must replay even after those change.
 */
export type LifecycleEvent = AgreementEvent & { readonly decision?: Decision };

/** An act stripped of its payload: enough to judge who may do it and whether the state allows it. */
export interface Act {
  readonly type: AgreementEventType;
  /** The party the act is done for; `undefined` for the system's own acts. */
  readonly party: PartyRole | undefined;
  readonly decision: Decision | undefined;
}

interface Parties {
  readonly proposer: Party;
  readonly partner: Party;
}

/** Acts a clerk may record for a partner city that has no clerks of its own. */
const RECORDABLE_FOR_OTHER_PARTY: ReadonlySet<AgreementEventType> = new Set([
  'TermsAccepted',
  'CouncilApprovalRecorded',
  'SignatureRecorded',
]);

export const partyOf = (event: AgreementEvent): PartyRole | undefined => {
  switch (event.type) {
    case 'AgreementProposed':
    case 'ProposalWithdrawn':
      return 'proposer';
    case 'ProposalDeclined':
      return 'partner';
    case 'TermsAgreed':
    case 'AgreementSigned':
    case 'AgreementExpired':
      return undefined;
    case 'TermsCounterProposed':
    case 'TermsAccepted':
    case 'CouncilApprovalRecorded':
    case 'SignatureRecorded':
    case 'AgreementActivated':
    case 'AgreementSuspended':
    case 'AgreementReinstated':
    case 'AgreementRenewed':
    case 'AgreementTerminated':
      return event.data.party;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

export const actOf = (event: LifecycleEvent): Act => ({
  type: event.type,
  party: partyOf(event),
  decision: event.decision,
});

/** The agreement's parties; a proposal brings its own, and a probe before one has none. */
const partiesOf = (
  agreement: AgreementRecord | null,
  event?: LifecycleEvent,
): Parties | undefined =>
  agreement ?? (event?.type === 'AgreementProposed' ? event.data : undefined);

const clerkMunicipality = (act: Act) =>
  act.decision?.actor.role === 'clerk' ? act.decision.actor.municipality : undefined;

/** True when the act is decided by a clerk who is not of the city the act is done for. */
const actsForOtherParty = (act: Act, parties: Parties | undefined): boolean => {
  if (act.decision === undefined || act.party === undefined || parties === undefined) return false;
  return clerkMunicipality(act) !== parties[act.party].cityId;
};

interface ActRule {
  readonly kind: 'act';
  readonly reason: RejectionReason;
  readonly message: string;
  readonly holds: (
    act: Act,
    agreement: AgreementRecord | null,
    parties: Parties | undefined,
  ) => boolean;
}

interface PayloadRule {
  readonly kind: 'payload';
  readonly reason: RejectionReason;
  readonly message: string;
  readonly holds: (event: LifecycleEvent, agreement: AgreementRecord | null) => boolean;
}

type Rule = ActRule | PayloadRule;

const actRule = (reason: RejectionReason, message: string, holds: ActRule['holds']): ActRule => ({
  kind: 'act',
  reason,
  message,
  holds,
});

/** A rule about the payload of particular facts; it has nothing to say about any other fact. */
const payloadRule = <T extends AgreementEventType>(
  reason: RejectionReason,
  message: string,
  types: readonly T[],
  holds: (event: AgreementEventOf<T> & LifecycleEvent, agreement: AgreementRecord) => boolean,
): PayloadRule => ({
  kind: 'payload',
  reason,
  message,
  holds: (event, agreement) => {
    const isOneOfTypes = (types as readonly AgreementEventType[]).includes(event.type);
    if (!isOneOfTypes) return true;
    if (agreement === null) return false;
    return holds(event as AgreementEventOf<T> & LifecycleEvent, agreement);
  },
});

/** A state rule needs the record; before a proposal there is none and the state allows nothing. */
const stateRule = (
  reason: RejectionReason,
  message: string,
  holds: (agreement: AgreementRecord, party: PartyRole | undefined) => boolean,
): ActRule =>
  actRule(reason, message, (act, agreement) => agreement !== null && holds(agreement, act.party));

const DATED_LIFECYCLE_ACTS = [
  'AgreementActivated',
  'AgreementSuspended',
  'AgreementReinstated',
  'AgreementRenewed',
  'AgreementTerminated',
  'AgreementExpired',
] as const;

export const RULES = {
  // Who may act
  actorHoldsAnActingRole: actRule(
    'ROLE_MAY_NOT_ACT',
    'only clerks act on agreements, and only the system expires them',
    (act) =>
      act.decision === undefined ||
      act.decision.actor.role === (act.type === 'AgreementExpired' ? 'system' : 'clerk'),
  ),
  actorBelongsToAParty: actRule(
    'NOT_A_PARTY',
    "the clerk's municipality is neither party to this agreement",
    (act, _agreement, parties) => {
      if (act.decision?.actor.role !== 'clerk' || parties === undefined) return true;
      const municipality = clerkMunicipality(act);
      return municipality === parties.proposer.cityId || municipality === parties.partner.cityId;
    },
  ),
  actorActsForOwnParty: actRule(
    'MAY_ACT_ONLY_FOR_OWN_PARTY',
    "a clerk may do this only for their own city's party",
    (act, _agreement, parties) => !actsForOtherParty(act, parties),
  ),
  otherPartyHasNoClerks: actRule(
    'ACTING_FOR_REPRESENTED_PARTY',
    "the other city has clerks of its own: they record the city's acts",
    (act, _agreement, parties) =>
      !actsForOtherParty(act, parties) ||
      (RECORDABLE_FOR_OTHER_PARTY.has(act.type) &&
        act.party !== undefined &&
        parties !== undefined &&
        !(act.decision?.context.citiesWithClerks ?? []).includes(parties[act.party].cityId)),
  ),
  evidenceGivenForOtherParty: {
    kind: 'payload',
    reason: 'EVIDENCE_REQUIRED',
    message: "recording the other city's act needs a reference to the evidence document",
    holds: (event, agreement) =>
      !actsForOtherParty(actOf(event), partiesOf(agreement, event)) ||
      ('evidence' in event.data && event.data.evidence !== undefined),
  },
  actorIsTheProposersClerk: actRule(
    'ONLY_PROPOSER_MAY_WITHDRAW',
    'only the proposing city withdraws its proposal',
    (act, _agreement, parties) =>
      act.decision === undefined ||
      parties === undefined ||
      clerkMunicipality(act) === parties.proposer.cityId,
  ),
  actorIsThePartnersClerk: actRule(
    'ONLY_PARTNER_MAY_DECLINE',
    'only the partner city declines a proposal',
    (act, _agreement, parties) =>
      act.decision === undefined ||
      parties === undefined ||
      clerkMunicipality(act) === parties.partner.cityId,
  ),

  // Negotiation
  partiesAreDifferentCities: {
    kind: 'payload',
    reason: 'SAME_CITY_ON_BOTH_SIDES',
    message: 'a city cannot twin with itself',
    holds: (event) =>
      event.type !== 'AgreementProposed' ||
      event.data.proposer.cityId !== event.data.partner.cityId,
  },
  counterProposalIsNextVersion: payloadRule(
    'TERMS_VERSION_NOT_NEXT',
    'a counter-proposal is the next version of the terms',
    ['TermsCounterProposed'],
    (event, agreement) => event.data.terms.version === agreement.terms.version + 1,
  ),
  termsVersionIsCurrent: payloadRule(
    'TERMS_VERSION_NOT_CURRENT',
    'the act refers to terms that have since been counter-proposed',
    [
      'TermsAccepted',
      'TermsAgreed',
      'CouncilApprovalRecorded',
      'SignatureRecorded',
      'AgreementSigned',
    ],
    (event, agreement) => event.data.termsVersion === agreement.terms.version,
  ),
  partyHasNotAcceptedCurrentTerms: stateRule(
    'TERMS_ALREADY_ACCEPTED',
    'this party has already accepted the current terms',
    (agreement, party) => party !== undefined && agreement.acceptances[party] === null,
  ),
  bothPartiesAcceptedCurrentTerms: stateRule(
    'TERMS_NOT_ACCEPTED_BY_BOTH',
    'both parties must accept the same terms version',
    (agreement) =>
      agreement.acceptances.proposer !== null && agreement.acceptances.partner !== null,
  ),

  // Approval and signature
  partyCouncilHasNotApproved: stateRule(
    'COUNCIL_APPROVAL_ALREADY_RECORDED',
    "this party's council approval is already recorded",
    (agreement, party) => party !== undefined && agreement.councilApprovals[party] === null,
  ),
  partyHasNotSigned: stateRule(
    'ALREADY_SIGNED_BY_PARTY',
    'this party has already signed',
    (agreement, party) => party !== undefined && agreement.signatures[party] === null,
  ),
  councilApprovedWhereRequired: stateRule(
    'COUNCIL_APPROVAL_REQUIRED',
    "this party's council must approve the terms before it signs",
    (agreement, party) =>
      party !== undefined &&
      (!agreement[party].councilApprovalRequired || agreement.councilApprovals[party] !== null),
  ),
  bothPartiesSigned: stateRule(
    'SIGNATURES_MISSING',
    'both parties must sign',
    (agreement) => agreement.signatures.proposer !== null && agreement.signatures.partner !== null,
  ),

  // In force
  notBeforeEffectiveDate: payloadRule(
    'BEFORE_EFFECTIVE_DATE',
    'an agreement is not activated before its effective date',
    ['AgreementActivated'],
    (event, agreement) => event.data.effectiveOn >= agreement.terms.startDate,
  ),
  beforeEndDate: payloadRule(
    'END_DATE_PASSED',
    'a fixed-term agreement is not activated on or after its end date',
    ['AgreementActivated'],
    (event, agreement) =>
      agreement.terms.endDate === undefined || event.data.effectiveOn < agreement.terms.endDate,
  ),
  notBeforePreviousAct: payloadRule(
    'DATE_PRECEDES_PREVIOUS_ACT',
    'the act is dated before the last change in the lifecycle',
    DATED_LIFECYCLE_ACTS,
    (event, agreement) => businessDateOf(event) >= agreement.lastLifecycleActOn,
  ),
  agreementIsFixedTerm: stateRule(
    'NOT_FIXED_TERM',
    'only a fixed-term agreement (one with an end date) is renewed or expires',
    (agreement) => isFixedTerm(agreement.terms),
  ),
  newEndDateIsLater: payloadRule(
    'END_DATE_NOT_LATER',
    'a renewal moves the end date later',
    ['AgreementRenewed'],
    (event, agreement) =>
      event.data.previousEndDate === agreement.terms.endDate &&
      event.data.newEndDate > event.data.previousEndDate,
  ),
  endDateReached: payloadRule(
    'END_DATE_NOT_REACHED',
    'an agreement expires only once its end date is reached',
    ['AgreementExpired'],
    (event, agreement) =>
      event.data.endDate === agreement.terms.endDate && event.data.expiredOn >= event.data.endDate,
  ),
} as const satisfies Record<string, Rule>;

export type RuleName = keyof typeof RULES;

const whoMayAct = [
  'actorHoldsAnActingRole',
  'actorBelongsToAParty',
  'actorActsForOwnParty',
] as const;
const whoMayRecord = [
  'actorHoldsAnActingRole',
  'actorBelongsToAParty',
  'otherPartyHasNoClerks',
  'evidenceGivenForOtherParty',
] as const;

/** The rules each fact must satisfy, in the order a rejection reports them. */
export const RULES_FOR = {
  AgreementProposed: [...whoMayAct, 'partiesAreDifferentCities'],
  TermsCounterProposed: [...whoMayAct, 'counterProposalIsNextVersion'],
  TermsAccepted: [...whoMayRecord, 'termsVersionIsCurrent', 'partyHasNotAcceptedCurrentTerms'],
  TermsAgreed: ['bothPartiesAcceptedCurrentTerms', 'termsVersionIsCurrent'],
  CouncilApprovalRecorded: [...whoMayRecord, 'termsVersionIsCurrent', 'partyCouncilHasNotApproved'],
  SignatureRecorded: [
    ...whoMayRecord,
    'termsVersionIsCurrent',
    'partyHasNotSigned',
    'councilApprovedWhereRequired',
  ],
  AgreementSigned: ['bothPartiesSigned', 'termsVersionIsCurrent'],
  AgreementActivated: [
    ...whoMayAct,
    'notBeforeEffectiveDate',
    'beforeEndDate',
    'notBeforePreviousAct',
  ],
  AgreementSuspended: [...whoMayAct, 'notBeforePreviousAct'],
  AgreementReinstated: [...whoMayAct, 'notBeforePreviousAct'],
  AgreementRenewed: [
    ...whoMayAct,
    'agreementIsFixedTerm',
    'newEndDateIsLater',
    'notBeforePreviousAct',
  ],
  AgreementExpired: [
    'actorHoldsAnActingRole',
    'agreementIsFixedTerm',
    'endDateReached',
    'notBeforePreviousAct',
  ],
  AgreementTerminated: [...whoMayAct, 'notBeforePreviousAct'],
  ProposalWithdrawn: ['actorHoldsAnActingRole', 'actorBelongsToAParty', 'actorIsTheProposersClerk'],
  ProposalDeclined: ['actorHoldsAnActingRole', 'actorBelongsToAParty', 'actorIsThePartnersClerk'],
} as const satisfies { readonly [T in AgreementEventType]: readonly RuleName[] };

export const ruleHolds = (
  name: RuleName,
  agreement: AgreementRecord | null,
  event: LifecycleEvent,
): boolean => {
  const rule: Rule = RULES[name];
  return rule.kind === 'act'
    ? rule.holds(actOf(event), agreement, partiesOf(agreement, event))
    : rule.holds(event, agreement);
};

/** The first rule a fact breaks, in `RULES_FOR` order. */
export const firstBrokenRule = (
  agreement: AgreementRecord | null,
  event: LifecycleEvent,
): { readonly reason: RejectionReason; readonly message: string } | undefined => {
  const broken = RULES_FOR[event.type].find((name: RuleName) => !ruleHolds(name, agreement, event));
  return broken === undefined ? undefined : RULES[broken];
};

/**
 * Whether an act, judged without its payload, could be allowed: the rules about who acts and
 * about the state. Payload rules can always be met by some payload (a later date, the current
 * terms version, an evidence reference), so they do not narrow what is offered.
 */
export const actCouldBeAllowed = (agreement: AgreementRecord | null, act: Act): boolean =>
  RULES_FOR[act.type].every((name: RuleName) => {
    const rule: Rule = RULES[name];
    return rule.kind === 'payload' || rule.holds(act, agreement, partiesOf(agreement));
  });
