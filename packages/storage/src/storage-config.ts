import { urlVariable } from '@twinning/http-kit';
import { z } from 'zod';

const EVENT_STORE_PROTOCOLS = [
  'postgres:',
  'postgresql:',
  'esdb:',
  'esdb+discover:',
  'kurrentdb:',
  'kurrentdb+discover:',
  'kurrent:',
  'kurrent+discover:',
];

/**
 * Where events and read models live, from the environment:
 * - `EVENT_STORE_URL` unset: embedded PGlite under `DATA_DIR` holds both (standalone mode).
 * - `postgres://…`: the PostgreSQL server holds the events, and the read models too unless
 *   `DATABASE_URL` names another database.
 * - `esdb://…` or `kurrentdb://…`: EventStoreDB holds the events; read models go to
 *   `DATABASE_URL`, or to PGlite under `DATA_DIR` when it is unset.
 */
export const storageEnvironmentSchema = z.object({
  EVENT_STORE_URL: urlVariable(EVENT_STORE_PROTOCOLS)
    .transform((url) => url.href)
    .optional(),
  DATABASE_URL: urlVariable(['postgres:', 'postgresql:'])
    .transform((url) => url.href)
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export type StorageEnvironment = z.output<typeof storageEnvironmentSchema>;

export type EventStoreLocation =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'esdb'; readonly url: string };

export type DatabaseLocation =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'postgres'; readonly url: string };

export interface StorageLocations {
  readonly eventStore: EventStoreLocation;
  readonly database: DatabaseLocation;
  readonly poolSize: number;
}

export const storageLocationsOf = (env: StorageEnvironment): StorageLocations => {
  const embedded: DatabaseLocation = { kind: 'pglite', dataDir: `${env.DATA_DIR}/pglite` };
  const database = (fallback: DatabaseLocation): DatabaseLocation =>
    env.DATABASE_URL === undefined ? fallback : { kind: 'postgres', url: env.DATABASE_URL };
  const url = env.EVENT_STORE_URL;
  if (url === undefined) {
    return { eventStore: embedded, database: database(embedded), poolSize: env.DATABASE_POOL_SIZE };
  }
  if (url.startsWith('postgres')) {
    return {
      eventStore: { kind: 'postgres', url },
      database: database({ kind: 'postgres', url }),
      poolSize: env.DATABASE_POOL_SIZE,
    };
  }
  return {
    eventStore: { kind: 'esdb', url },
    database: database(embedded),
    poolSize: env.DATABASE_POOL_SIZE,
  };
};

/** A location for logs and start-up banners, without credentials. */
export const describeLocation = (location: EventStoreLocation | DatabaseLocation): string => {
  switch (location.kind) {
    case 'pglite':
      return `PGlite (embedded) at ${location.dataDir}`;
    case 'postgres':
    case 'esdb': {
      const url = new URL(location.url);
      url.username = '';
      url.password = '';
      return `${location.kind === 'esdb' ? 'EventStoreDB' : 'PostgreSQL'} at ${url.href}`;
    }
    default: {
      const _exhaustive: never = location;
      return _exhaustive;
    }
  }
};
