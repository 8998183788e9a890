import { createPostgresStreamHeads, createSqlInForceQuery } from '@twinning/audit';
import type { Storage } from '@twinning/storage';
import type { WebhookSettings } from '@twinning/webhooks';
import type { Logger } from 'pino';
import type { ApiDependencies } from './app.js';
import { createTokenVerifier } from './auth/index.js';
import type { ApiConfig } from './config.js';
import { createSqlMunicipalityDirectory } from './municipalities/municipality-directory.js';

/**
 * What the API needs, taken from opened storage: the one place that knows which parts run on
 * which database (the audit's stream heads only where the events are in PostgreSQL or PGlite).
 */
export const apiDependenciesFor = async (
  storage: Storage,
  options: {
    readonly config: Pick<ApiConfig, 'auth' | 'bodyLimitBytes' | 'webAssetsDirectory'>;
    readonly logger: Logger;
    /** Without them the webhook admin routes are off. */
    readonly webhooks: WebhookSettings | undefined;
  },
): Promise<ApiDependencies> => ({
  store: storage.store,
  municipalities: await createSqlMunicipalityDirectory(storage.sql),
  verifier: createTokenVerifier(options.config.auth),
  sql: storage.sql,
  logger: options.logger,
  bodyLimitBytes: options.config.bodyLimitBytes,
  ...(options.webhooks === undefined ? {} : { webhooks: { settings: options.webhooks } }),
  web: { auth: options.config.auth, assetsDirectory: options.config.webAssetsDirectory },
  audit: {
    inForce: createSqlInForceQuery(storage.sql),
    ...(storage.eventsSql === undefined
      ? {}
      : { streamHeads: createPostgresStreamHeads(storage.eventsSql) }),
  },
});
