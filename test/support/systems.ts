import {
  buildApp,
  createSqlMunicipalityDirectory,
  createTokenVerifier,
  loadAuthConfig,
  type MunicipalityDirectory,
} from '@twinning/api';
import { createInMemoryEventStore, type EventStore } from '@twinning/event-store';
import { createLogger, type HttpApp } from '@twinning/http-kit';
import { createPGliteClient } from '@twinning/sql';
import { createTestDatabase } from '@twinning/sql/testing';
import {
  startListeningSystem,
  startStandaloneOnPGlite as startPGliteSystem,
  type ListeningSystem,
} from '@twinning/standalone/testing';
import { fetchClient, injectClient, type ApiClient } from './http-client.js';

export interface SystemUnderTest {
  readonly app: HttpApp;
  readonly store: EventStore;
  readonly client: ApiClient;
  close(): Promise<void>;
}

const silent = () => createLogger({ name: 'twinning-test', level: 'silent' });

export interface InjectableApiOptions {
  /** Defaults to a fresh in-memory store. */
  readonly store?: EventStore;
  readonly bodyLimitBytes?: number;
}

/**
 * The API as `buildApp` makes it, driven with `app.inject()`: in-memory events, the municipality
 * directory on in-memory PGlite, dev tokens with the default secret.
 */
export const startInjectableApi = async (
  options: InjectableApiOptions = {},
): Promise<SystemUnderTest & { readonly municipalities: MunicipalityDirectory }> => {
  const sql = await createPGliteClient();
  const store = options.store ?? createInMemoryEventStore();
  const municipalities = await createSqlMunicipalityDirectory(sql);
  const app = await buildApp({
    store,
    municipalities,
    verifier: createTokenVerifier(loadAuthConfig({ AUTH_MODE: 'dev' })),
    logger: silent(),
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
  });
  await app.ready();
  return {
    app,
    store,
    municipalities,
    client: injectClient(app),
    async close() {
      await app.close();
      await store.close();
      await sql.close();
    },
  };
};

/** The standalone system as a test drives it: over HTTP on a free local port. */
const driven = (system: ListeningSystem): SystemUnderTest & { readonly baseUrl: string } => ({
  app: system.app,
  store: system.storage.store,
  client: fetchClient(system.baseUrl),
  baseUrl: system.baseUrl,
  close: () => system.close(),
});

/**
 * Standalone on embedded PGlite in a temporary directory, removed on close. `environment` adds
 * to or overrides its settings (e.g. `AUTH_MODE=oidc` and the identity provider's).
 */
export const startStandaloneOnPGlite = async (environment: Record<string, string> = {}) =>
  driven(await startPGliteSystem(environment));

/** Standalone on the PostgreSQL test server, in a database of its own, dropped on close. */
export const startStandaloneOnPostgres = async () => {
  const database = await createTestDatabase();
  return driven(
    await startListeningSystem({ EVENT_STORE_URL: database.connectionString }, () =>
      database.drop(),
    ),
  );
};
