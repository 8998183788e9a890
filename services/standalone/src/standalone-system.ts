import {
  buildApp,
  createSqlMunicipalityDirectory,
  createTokenVerifier,
} from '@twinning/api';
import type { HttpApp } from '@twinning/http-kit';
import { openStorage, type Storage } from '@twinning/storage';
import type { Logger } from 'pino';
import type { StandaloneConfig } from './standalone-config.js';

/** Every Twinning service in one process, sharing one storage. */
export interface StandaloneSystem {
  readonly app: HttpApp;
  readonly storage: Storage;
  close(): Promise<void>;
}

export const startStandaloneSystem = async (
  config: StandaloneConfig,
  logger: Logger,
): Promise<StandaloneSystem> => {
  const storage = await openStorage(config.storage);
  try {
    const app = await buildApp({
      store: storage.store,
      municipalities: await createSqlMunicipalityDirectory(storage.sql),
      verifier: createTokenVerifier(config.auth),
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
    });
    return {
      app,
      storage,
      async close() {
        await app.close();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
};
