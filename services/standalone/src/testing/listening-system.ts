import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@twinning/http-kit';
import { loadStandaloneConfig } from '../standalone-config.js';
import { startStandaloneSystem, type StandaloneSystem } from '../standalone-system.js';

/** The standalone system listening on a free port of 127.0.0.1, for tests. */
export interface ListeningSystem extends StandaloneSystem {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
}

/**
 * Starts the standalone system as `pnpm start` would, with only these settings (not the test
 * process's environment; `AUTH_MODE=dev` unless they say otherwise), on a free local port.
 * `cleanUp` runs after the system has closed, or when it fails to start.
 */
export const startListeningSystem = async (
  environment: Record<string, string>,
  cleanUp: () => Promise<void> = () => Promise.resolve(),
): Promise<ListeningSystem> => {
  const settings = { AUTH_MODE: 'dev', ...environment };
  const system = await startStandaloneSystem(
    loadStandaloneConfig(settings),
    createLogger({ name: 'twinning-test', level: 'silent' }),
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
  return {
    app: system.app,
    storage: system.storage,
    baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      await system.close();
      await cleanUp();
    },
  };
};

/** The standalone system on PGlite in a temporary directory, removed when it closes. */
export const startStandaloneOnPGlite = async (
  environment: Record<string, string> = {},
): Promise<ListeningSystem> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'twinning-standalone-'));
  return startListeningSystem({ DATA_DIR: dataDir, ...environment }, () =>
    rm(dataDir, { recursive: true, force: true }),
  );
};

/** Settings that let webhooks reach a receiver on loopback over plain http, quickly. */
export const LOOPBACK_WEBHOOKS: Readonly<Record<string, string>> = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_POLL_INTERVAL: '200ms',
};
