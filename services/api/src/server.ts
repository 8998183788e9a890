import { ConfigError, createLogger, runUntilSignalled } from '@twinning/http-kit';
import { createPostgresStreamHeads, createSqlInForceQuery } from '@twinning/audit';
import { describeLocation, openStorage } from '@twinning/storage';
import { loadWebhookSettings } from '@twinning/webhooks';
import { buildApp } from './app.js';
import { createTokenVerifier } from './auth/index.js';
import { loadApiConfig } from './config.js';
import { createSqlMunicipalityDirectory } from './municipalities/municipality-directory.js';

/** The API on its own, as deployed beside a separate projector and dispatcher. */
const main = async (): Promise<void> => {
  const config = loadApiConfig();
  const logger = createLogger({ name: 'twinning-api', level: config.logLevel });
  // The webhook admin routes need the key the dispatchers decrypt secrets with.
  const webhooks =
    (process.env['WEBHOOK_ENCRYPTION_KEY'] ?? '') === ''
      ? undefined
      : await loadWebhookSettings(process.env);
  if (webhooks === undefined) {
    logger.warn('webhook admin routes are off: set WEBHOOK_ENCRYPTION_KEY to manage webhooks');
  }
  const storage = await openStorage(config.storage);
  const app = await buildApp({
    store: storage.store,
    municipalities: await createSqlMunicipalityDirectory(storage.sql),
    verifier: createTokenVerifier(config.auth),
    sql: storage.sql,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(webhooks === undefined ? {} : { webhooks: { settings: webhooks } }),
    audit: {
      inForce: createSqlInForceQuery(storage.sql),
      ...(storage.eventsSql === undefined
        ? {}
        : { streamHeads: createPostgresStreamHeads(storage.eventsSql) }),
    },
  });
  runUntilSignalled(app, { onShutdown: [() => storage.close()] });
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    {
      eventStore: describeLocation(config.storage.eventStore),
      database: describeLocation(config.storage.database),
    },
    'twinning-api ready',
  );
};

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`twinning-api failed to start: ${String(error)}\n`);
  }
  process.exit(1);
});
