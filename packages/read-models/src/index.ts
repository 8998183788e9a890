export {
  SummaryMismatchError,
  summariseAgreement,
  type AgreementSummary,
  type EventPlace,
  type PartyProgress,
} from './agreement-summary.js';
export {
  agreementsProjection,
  toStoredSummary,
  type StoredSummary,
} from './agreements-projection.js';
export type { AgreementItem, PartyItem, ReadScope } from './agreement-item.js';
export {
  AGREEMENT_SORT_FIELDS,
  listAgreements,
  type AgreementListRequest,
  type AgreementPage,
  type AgreementSort,
  type AgreementSortField,
  type DateRange,
} from './agreement-list-query.js';
export {
  MAX_NETWORK_DEPTH,
  PARTNERSHIP_STATES,
  cityNetwork,
  findCity,
  type CityNetwork,
  type CityPage,
  type CityPartnership,
  type NetworkEdge,
  type NetworkNode,
} from './city-queries.js';
export { municipalityActivity, type ActivityEntry, type ActivityPage } from './activity-query.js';
export {
  expiringAgreements,
  pendingSignatures,
  type ExpiringAgreement,
  type OutstandingAct,
  type PendingSignature,
} from './due-queries.js';
export { agreementStatistics, type AgreementStatistics } from './statistics-query.js';
export { readModelPosition, waitForReadModels, type ReadPositionWait } from './read-position.js';
export { InvalidCursorError } from './cursor.js';
export { foldForSearch, prefixQueryOf } from './search-text.js';

import { agreementsProjection } from './agreements-projection.js';

/** Every read model the queries depend on, for the projector to host. */
export const READ_MODEL_PROJECTIONS = [agreementsProjection] as const;
