export { createEsdbEventStore } from './esdb-event-store.js';
export type { EsdbEventStoreOptions } from './esdb-event-store.js';
export type { ResubscribeBackoff } from './esdb-subscription.js';
export { normaliseConnectionString } from './connection-string.js';
export { InvalidConnectionStringError, UnreadableEventError } from './errors.js';
export { chainMetadataKey } from './event-encoding.js';
