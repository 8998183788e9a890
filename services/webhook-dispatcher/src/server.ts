import { ConfigError, createHttpApp, createLogger, runUntilSignalled } from '@twinning/http-kit';
import { describeLocation, openStorage } from '@twinning/storage';
import { loadDispatcherConfig } from './dispatcher-config.js';
import { startWebhookDispatcher } from './webhook-dispatcher.js';

/** The webhook dispatcher as its own service; run as many as the load needs. */
const main = async (): Promise<void> => {
  const config = await loadDispatcherConfig();
  const logger = createLogger({ name: 'twinning-webhook-dispatcher', level: config.logLevel });
  const storage = await openStorage(config.storage);
  const app = await createHttpApp({
    name: 'twinning-webhook-dispatcher',
    description: 'Delivers agreement events to webhook endpoints.',
    logger,
    readinessChecks: {
      eventStore: () => storage.store.ping(),
      database: async () => {
        await storage.sql.query('SELECT 1');
      },
    },
  });
  const dispatcher = await startWebhookDispatcher({
    store: storage.store,
    sql: storage.sql,
    webhooks: config.webhooks,
    delivery: config.delivery,
    logger,
    metrics: app.metrics,
  });
  runUntilSignalled(app, {
    onShutdown: [() => dispatcher.stop(), () => storage.close()],
    timeoutMs: config.delivery.attemptTimeoutMs + 10_000,
  });
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    {
      eventStore: describeLocation(config.storage.eventStore),
      database: describeLocation(config.storage.database),
    },
    'twinning-webhook-dispatcher ready',
  );
};

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : `twinning-webhook-dispatcher failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
