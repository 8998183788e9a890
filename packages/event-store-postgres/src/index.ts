import type { EventStore } from '@twinning/event-store';
import type { SqlClient } from '@twinning/sql';
import {
  createPostgresEventStoreWithHooks,
  type PostgresEventStoreOptions,
} from './postgres-event-store.js';

export type { PostgresEventStoreOptions } from './postgres-event-store.js';
export { eventStoreMigrations } from './schema.js';

/**
 * The event store on PostgreSQL, over a server (`createPgClient`) or embedded PGlite
 * (`createPGliteClient`) with the same SQL. Applies its schema migrations before resolving; safe
 * to start from several processes at once. The client stays the caller's to close.
 */
export const createPostgresEventStore = (
  client: SqlClient,
  options: PostgresEventStoreOptions = {},
): Promise<EventStore> => createPostgresEventStoreWithHooks(client, options, {});
