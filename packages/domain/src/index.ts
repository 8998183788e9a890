export { err, ok, type Result } from './result.js';
export {
  AgreementIdSchema,
  CityIdSchema,
  IsoDateSchema,
  fromAgreementStreamId,
  toAgreementStreamId,
  type AgreementId,
  type CityId,
  type IsoDate,
} from './ids.js';
export {
  ActorSchema,
  EvidenceSchema,
  PARTY_ROLES,
  PartyRoleSchema,
  ROLES,
  RoleSchema,
  otherParty,
  type Actor,
  type DecisionContext,
  type Evidence,
  type PartyRole,
  type Role,
} from './actor.js';
export {
  AGREEMENT_KINDS,
  AREAS_OF_EXCHANGE,
  AgreementKindSchema,
  AreaOfExchangeSchema,
  PartySchema,
  TermsSchema,
  VersionedTermsSchema,
  isFixedTerm,
  type AgreementKind,
  type AreaOfExchange,
  type Party,
  type Terms,
  type VersionedTerms,
} from './terms.js';
export * from './commands.js';
export * from './events.js';
export {
  AGREEMENT_EVENT_UPCASTERS,
  createUpcast,
  upcast,
  type UpcastFailure,
  type Upcaster,
  type UpcasterRegistry,
  type UpcastingRules,
} from './upcasting.js';
export { REJECTION_REASONS, type DomainError, type RejectionReason } from './domain-error.js';
export type {
  Acceptance,
  AgreementDates,
  CouncilApproval,
  Ending,
  PerParty,
  Renewal,
  Signature,
  Suspension,
  TermsVersionEntry,
} from './agreement-record.js';
export { agreementMachineV1, type AgreementMachine } from './machine.js';
export { KNOWN_MACHINE_VERSIONS, MACHINE_VERSION, machineForVersion } from './machine-versions.js';
export {
  LIFECYCLE_STATES,
  initialState,
  lifecycleStateOf,
  type AgreementState,
  type LifecycleState,
} from './agreement-state.js';
export { AgreementReplayError } from './replay-error.js';
export { decide } from './decide.js';
export { evolve, foldEvents } from './evolve.js';
export { allowedCommands, type Requester } from './allowed-commands.js';
export { toAgreementView, type AgreementView } from './agreement-view.js';
export { businessDateOf } from './business-date.js';
export {
  lifecycleChartOf,
  type LifecycleChart,
  type LifecycleChartState,
  type LifecycleChartTransition,
} from './lifecycle-chart.js';
