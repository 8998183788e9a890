import swaggerUi from '@fastify/swagger-ui';
import type { EventStore } from '@twinning/event-store';
import { createHttpApp, type HttpApp } from '@twinning/http-kit';
import type { Logger } from 'pino';
import { registerAgreementCommandRoutes } from './agreements/command-routes.js';
import { registerAgreementQueryRoutes } from './agreements/query-routes.js';
import { authenticationPlugin, type TokenVerifier } from './auth/index.js';
import type { MunicipalityDirectory } from './municipalities/municipality-directory.js';
import { registerMunicipalityRoutes } from './municipalities/municipality-routes.js';

export interface ApiDependencies {
  readonly store: EventStore;
  readonly municipalities: MunicipalityDirectory;
  readonly verifier: TokenVerifier;
  readonly logger?: Logger;
  /** System time; tests pin it. */
  readonly now?: () => Date;
  readonly bodyLimitBytes?: number;
  readonly version?: string;
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
  return app;
};
