import { ConfigError, createLogger, runUntilSignalled } from '@twinning/http-kit';
import { describeLocation, openStorage } from '@twinning/storage';
import { loadWebhookSettings } from '@twinning/webhooks';
import { apiDependenciesFor } from './api-dependencies.js';
import { buildApp } from './app.js';
import { loadApiConfig } from './config.js';

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
  const app = await buildApp(await apiDependenciesFor(storage, { config, logger, webhooks }));
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
