import { ConfigError, createHttpApp, createLogger, runUntilSignalled } from '@twinning/http-kit';
import { startProgressDisplay } from '@twinning/projections';
import { describeLocation, openStorage } from '@twinning/storage';
import { loadProjectorConfig } from './config.js';
import { UnknownProjectionError, projectorWorkload } from './projector-workload.js';
import { registerProjectorRoutes } from './projector-routes.js';
import { startProjector } from './start-projector.js';

/** The projector on its own: read models and reactors, with /health and /metrics. */
const main = async (): Promise<void> => {
  const config = loadProjectorConfig();
  const logger = createLogger({ name: 'twinning-projector', level: config.logLevel });
  const storage = await openStorage(config.storage);
  const app = await createHttpApp({
    name: 'twinning-projector',
    logger,
    readinessChecks: { eventStore: () => storage.store.ping() },
  });
  const now = () => new Date();
  const projector = await startProjector({
    store: storage.store,
    sql: storage.sql,
    ...projectorWorkload({
      store: storage.store,
      now,
      expiryCheckIntervalMs: config.expiryCheckIntervalMs,
      logger,
      ...(config.projections === undefined ? {} : { only: config.projections }),
    }),
    logger,
    now,
    metrics: app.metrics,
    batchSize: config.batchSize,
    batchWaitMs: config.batchWaitMs,
    lockRetryMs: config.lockRetryMs,
  });
  registerProjectorRoutes(app, projector);
  const stopProgress = startProgressDisplay({
    status: () => projector.status(),
    stream: process.stderr,
    logger,
  });
  runUntilSignalled(app, {
    onShutdown: [stopProgress, () => projector.stop(), () => storage.close()],
  });
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    {
      eventStore: describeLocation(config.storage.eventStore),
      database: describeLocation(config.storage.database),
    },
    'twinning-projector ready',
  );
};

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError || error instanceof UnknownProjectionError
      ? `${error.message}\n`
      : `twinning-projector failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
