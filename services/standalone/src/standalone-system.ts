import { dirname } from 'node:path';
import { apiDependenciesFor, buildApp } from '@twinning/api';
import type { Environment, HttpApp } from '@twinning/http-kit';
import { projectorWorkload, registerProjectorRoutes, startProjector } from '@twinning/projector';
import { openStorage, type Storage } from '@twinning/storage';
import { loadDeliverySettings, startWebhookDispatcher } from '@twinning/webhook-dispatcher';
import { loadWebhookSettings } from '@twinning/webhooks';
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
  env: Environment = process.env,
): Promise<StandaloneSystem> => {
  // Embedded, a missing WEBHOOK_ENCRYPTION_KEY is generated beside the database; with PostgreSQL
  // the key must be shared by every process, so webhooks stay off until it is set.
  const { database } = config.storage;
  const webhooks =
    database.kind === 'pglite' || (env['WEBHOOK_ENCRYPTION_KEY'] ?? '') !== ''
      ? await loadWebhookSettings(
          env,
          database.kind === 'pglite' ? { generatedKeyDirectory: dirname(database.dataDir) } : {},
        )
      : undefined;
  if (webhooks === undefined)
    logger.warn('webhooks are off: set WEBHOOK_ENCRYPTION_KEY to use them');
  const storage = await openStorage(config.storage);
  try {
    const app = await buildApp(await apiDependenciesFor(storage, { config, logger, webhooks }));
    if (webhooks !== undefined) {
      const dispatcher = await startWebhookDispatcher({
        store: storage.store,
        sql: storage.sql,
        webhooks,
        delivery: loadDeliverySettings(env),
        logger: logger.child({ component: 'webhook-dispatcher' }),
        metrics: app.metrics,
      });
      // Closing the app (as shutdown does, before closing storage) stops deliveries first.
      app.addHook('onClose', () => dispatcher.stop());
    }
    const projectorLogger = logger.child({ component: 'projector' });
    const now = () => new Date();
    const projector = await startProjector({
      store: storage.store,
      sql: storage.sql,
      ...projectorWorkload({ store: storage.store, now, logger: projectorLogger }),
      logger: projectorLogger,
      now,
      metrics: app.metrics,
    });
    registerProjectorRoutes(app, projector);
    // The projector finishes its batch in flight and releases its locks before storage closes.
    app.addHook('onClose', () => projector.stop());
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
