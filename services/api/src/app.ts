import swaggerUi from '@fastify/swagger-ui';
import type { EventStore } from '@twinning/event-store';
import { createHttpApp, type HttpApp } from '@twinning/http-kit';
import type { SqlClient } from '@twinning/sql';
import type { Logger } from 'pino';
import { registerAgreementCommandRoutes } from './agreements/command-routes.js';
import { registerAgreementQueryRoutes } from './agreements/query-routes.js';
import { registerAuditRoutes, type AuditRouteOptions } from './audit/audit-routes.js';
import { authenticationPlugin, type TokenVerifier } from './auth/index.js';
import type { MunicipalityDirectory } from './municipalities/municipality-directory.js';
import { registerMunicipalityRoutes } from './municipalities/municipality-routes.js';
import { registerProjectionAdminRoutes } from './projections/projection-admin-routes.js';
import { registerQueryRoutes } from './queries/query-routes.js';
import { registerWebRoutes, type WebRouteOptions } from './web/web-routes.js';
import { registerWebhookRoutes, type WebhookRouteOptions } from './webhooks/webhook-routes.js';

export interface ApiDependencies {
  readonly store: EventStore;
  readonly municipalities: MunicipalityDirectory;
  readonly verifier: TokenVerifier;
  /** The read models' database; without it the query routes (lists, cities, statistics) are absent. */
  readonly sql?: SqlClient;
  readonly logger?: Logger;
  /** System time; tests pin it. */
  readonly now?: () => Date;
  readonly bodyLimitBytes?: number;
  readonly version?: string;
  /** The in-force read model and stream heads the auditor routes use where available. */
  readonly audit?: AuditRouteOptions;
  /** Webhook settings (secrets' key, address rules); with `sql`, enables the webhook admin routes. */
  readonly webhooks?: Pick<WebhookRouteOptions, 'settings' | 'resolve'>;
  /** The browser workspace at `/`, its sign-in settings and the lifecycle chart it draws. */
  readonly web?: WebRouteOptions;
}

/** The API for clerks, auditors and admins. Never listens: `server.ts` (or a test) decides. */
export const buildApp = async (dependencies: ApiDependencies): Promise<HttpApp> => {
  const app = await createHttpApp({
    name: 'twinning-api',
    description:
      'Sister-city partnership agreements: commands that drive the lifecycle, and the record they leave.',
    version: dependencies.version ?? '0.1.0',
    bodyLimitBytes: dependencies.bodyLimitBytes ?? 64 * 1024,
    ...(dependencies.logger === undefined ? {} : { logger: dependencies.logger }),
    readinessChecks: { eventStore: () => dependencies.store.ping() },
    bearerAuth: true,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authenticationPlugin, {
    verifier: dependencies.verifier,
    publicRoutePrefixes: ['/docs'],
  });

  const now = dependencies.now ?? (() => new Date());
  const routes = { store: dependencies.store, municipalities: dependencies.municipalities, now };
  registerAgreementCommandRoutes(app, routes);
  registerAgreementQueryRoutes(app, routes);
  registerMunicipalityRoutes(app, routes);
  if (dependencies.sql !== undefined) registerQueryRoutes(app, { sql: dependencies.sql, now });
  if (dependencies.sql !== undefined) {
    await registerProjectionAdminRoutes(app, { sql: dependencies.sql });
  }
  registerAuditRoutes(app, { store: dependencies.store, now, ...dependencies.audit });
  if (dependencies.sql !== undefined && dependencies.webhooks !== undefined) {
    await registerWebhookRoutes(app, {
      sql: dependencies.sql,
      store: dependencies.store,
      now,
      ...dependencies.webhooks,
    });
  }
  if (dependencies.web !== undefined) await registerWebRoutes(app, dependencies.web);
  return app;
};
