import { mkdir } from 'node:fs/promises';
import type { EventStore } from '@twinning/event-store';
import { createEsdbEventStore } from '@twinning/event-store-esdb';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createPGliteClient, createPgClient, type SqlClient } from '@twinning/sql';
import type { DatabaseLocation, StorageLocations } from './storage-config.js';

export interface Storage {
  readonly store: EventStore;
  /** Read models, checkpoints, subscriptions: PostgreSQL or PGlite. */
  readonly sql: SqlClient;
  /** The database holding the events, when they are in PostgreSQL or PGlite (not EventStoreDB). */
  readonly eventsSql: SqlClient | undefined;
  readonly locations: StorageLocations;
  close(): Promise<void>;
}

const openDatabase = async (location: DatabaseLocation, poolSize: number): Promise<SqlClient> => {
  if (location.kind === 'pglite') {
    await mkdir(location.dataDir, { recursive: true });
    return createPGliteClient({ dataDir: location.dataDir });
  }
  return createPgClient({ connectionString: location.url, max: poolSize });
};

const sameDatabase = (a: StorageLocations['eventStore'], b: DatabaseLocation): boolean =>
  (a.kind === 'pglite' && b.kind === 'pglite' && a.dataDir === b.dataDir) ||
  (a.kind === 'postgres' && b.kind === 'postgres' && a.url === b.url);

/**
 * Opens the event store and the SQL database the locations name, sharing one connection (pool or
 * PGlite instance) when both live in the same database: only one PGlite may own a directory.
 */
export const openStorage = async (locations: StorageLocations): Promise<Storage> => {
  const sql = await openDatabase(locations.database, locations.poolSize);
  const closers: (() => Promise<void>)[] = [];
  try {
    let store: EventStore;
    let eventsSql: SqlClient | undefined;
    const { eventStore } = locations;
    if (eventStore.kind === 'esdb') {
      store = createEsdbEventStore({ connectionString: eventStore.url });
    } else if (sameDatabase(eventStore, locations.database)) {
      eventsSql = sql;
      store = await createPostgresEventStore(sql);
    } else {
      const ownSql = await openDatabase(eventStore, locations.poolSize);
      closers.push(() => ownSql.close());
      eventsSql = ownSql;
      store = await createPostgresEventStore(ownSql);
    }
    return {
      store,
      sql,
      eventsSql,
      locations,
      async close() {
        await store.close();
        for (const close of closers) await close();
        await sql.close();
      },
    };
  } catch (error) {
    for (const close of closers) await close();
    await sql.close();
    throw error;
  }
};
