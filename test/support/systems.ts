import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { loadStandaloneConfig, startStandaloneSystem } from '@twinning/standalone';
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

/** The standalone system started as `pnpm start` would, listening on a free local port. */
const startListening = async (
  environment: Record<string, string>,
  cleanUp: () => Promise<void>,
): Promise<SystemUnderTest & { readonly baseUrl: string }> => {
  // Only these settings, not the test process's environment, as a fresh `pnpm start` would have.
  const settings = { AUTH_MODE: 'dev', ...environment };
  const system = await startStandaloneSystem(
    loadStandaloneConfig(settings),
    silent(),
    settings,
  ).catch(async (error: unknown) => {
    await cleanUp();
    throw error;
  });
  try {
    await system.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await system.close();
    await cleanUp();
    throw error;
  }
  const address = system.app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening on TCP');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    app: system.app,
    store: system.storage.store,
    client: fetchClient(baseUrl),
    baseUrl,
    async close() {
      await system.close();
      await cleanUp();
    },
  };
};

/**
 * Standalone on embedded PGlite in a temporary directory, removed on close. `environment` adds
 * to or overrides its settings (e.g. `AUTH_MODE=oidc` and the identity provider's).
 */
export const startStandaloneOnPGlite = async (environment: Record<string, string> = {}) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'twinning-e2e-'));
  return startListening({ DATA_DIR: dataDir, ...environment }, () =>
    rm(dataDir, { recursive: true, force: true }),
  );
};

/** Standalone on the PostgreSQL test server, in a database of its own, dropped on close. */
export const startStandaloneOnPostgres = async () => {
  const database = await createTestDatabase();
  return startListening({ EVENT_STORE_URL: database.connectionString }, () => database.drop());
};
