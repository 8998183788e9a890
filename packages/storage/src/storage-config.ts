import { urlVariable } from '@twinning/http-kit';
import { z } from 'zod';

const POSTGRES_PROTOCOLS = ['postgres:', 'postgresql:'];

/**
 * A PostgreSQL URL is checked as a URL; an EventStoreDB connection string is passed on as written,
 * because a cluster's (`esdb://node1:2113,node2:2113?tls=true`) is not a URL, and the adapter
 * checks it when it connects.
 */
const eventStoreUrlVariable = () =>
  z.string().transform((value, context) => {
    const scheme = /^([a-z+]+):\/\//i.exec(value.trim())?.[1]?.toLowerCase();
    if (scheme !== undefined && ESDB_SCHEMES.has(scheme)) return value.trim();
    if (scheme === 'postgres' || scheme === 'postgresql') {
      if (URL.canParse(value)) return new URL(value).href;
      context.addIssue({ code: 'custom', message: 'is not a valid PostgreSQL URL' });
      return z.NEVER;
    }
    context.addIssue({
      code: 'custom',
      message: `must start with postgres://, postgresql://, ${[...ESDB_SCHEMES].map((s) => `${s}://`).join(', ')}`,
    });
    return z.NEVER;
  });

const ESDB_SCHEMES = new Set([
  'esdb',
  'esdb+discover',
  'kurrentdb',
  'kurrentdb+discover',
  'kurrent',
  'kurrent+discover',
  'kdb',
  'kdb+discover',
]);

/**
 * Where events and read models live, from the environment:
 * - `EVENT_STORE_URL` unset: embedded PGlite under `DATA_DIR` holds both (standalone mode).
 * - `postgres://…`: the PostgreSQL server holds the events, and the read models too unless
 *   `DATABASE_URL` names another database.
 * - `esdb://…` or `kurrentdb://…`: EventStoreDB holds the events; read models go to
 *   `DATABASE_URL`, or to PGlite under `DATA_DIR` when it is unset.
 */
export const storageEnvironmentSchema = z.object({
  EVENT_STORE_URL: eventStoreUrlVariable().optional(),
  DATABASE_URL: urlVariable(POSTGRES_PROTOCOLS)
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
    case 'postgres': {
      const url = new URL(location.url);
      url.username = '';
      url.password = '';
      return `PostgreSQL at ${url.href}`;
    }
    case 'esdb':
      return `EventStoreDB at ${location.url.replace(/\/\/[^@/]*@/, '//')}`;
    default: {
      const _exhaustive: never = location;
      return _exhaustive;
    }
  }
};
