import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { LIFECYCLE_STATES, lifecycleChartOf } from '@twinning/domain';
import { createProblem, type HttpApp } from '@twinning/http-kit';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { ROLES, actorOf, cityIdSchema, mintDevToken, type AuthConfig } from '../auth/index.js';

export interface WebRouteOptions {
  readonly auth: AuthConfig;
  /** The built browser workspace (`index.html` and `assets/`); absent files answer 503. */
  readonly assetsDirectory?: string;
}

const WebAppNotBuilt = createProblem(
  'TWN_ERR_WEB_APP_NOT_BUILT',
  503,
  'The web workspace has not been built',
);

const LifecycleStateSchema = z.enum(LIFECYCLE_STATES);

const LifecycleChartSchema = z.object({
  machineVersion: z.number().int(),
  initial: LifecycleStateSchema,
  states: z.array(
    z.object({ id: LifecycleStateSchema, group: z.string().nullable(), final: z.boolean() }),
  ),
  transitions: z.array(
    z.object({ from: LifecycleStateSchema, to: LifecycleStateSchema, event: z.string() }),
  ),
});

const SignInConfigSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('dev') }),
  z.object({
    mode: z.literal('oidc'),
    issuer: z.string(),
    clientId: z.string(),
    scope: z.string(),
    audience: z.string(),
  }),
  z.object({ mode: z.literal('unavailable'), detail: z.string() }),
]);

const DevTokenRequestSchema = z
  .object({
    roles: z.array(z.enum(ROLES)).min(1, 'name at least one role').max(3),
    municipality: cityIdSchema.optional(),
    name: z.string().trim().min(1).max(200),
  })
  .refine((body) => !body.roles.includes('clerk') || body.municipality !== undefined, {
    path: ['municipality'],
    message: 'is required for a clerk',
  });

const signInConfigOf = (auth: AuthConfig): z.infer<typeof SignInConfigSchema> => {
  if (auth.mode === 'dev') return { mode: 'dev' };
  if (auth.web === undefined) {
    return {
      mode: 'unavailable',
      detail: 'AUTH_WEB_CLIENT_ID is not set: the identity provider has no client for the browser.',
    };
  }
  return { mode: 'oidc', issuer: auth.issuer, ...auth.web, audience: auth.audience };
};

/** Who may load scripts, styles and connect: this origin, and the identity provider's. */
const contentSecurityPolicyOf = (auth: AuthConfig): string => {
  const identityProvider = auth.mode === 'oidc' ? ` ${new URL(auth.issuer).origin}` : '';
  return [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    `connect-src 'self'${identityProvider}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    `form-action 'self'${identityProvider}`,
  ].join('; ');
};

/**
 * What the browser workspace needs beyond the public API: the files themselves, how to sign in,
 * and the lifecycle drawn from the machine. The sign-in routes need no token, since they are how
 * a browser gets one; development tokens exist only where the API runs with `AUTH_MODE=dev`.
 */
export const registerWebRoutes = async (app: HttpApp, options: WebRouteOptions): Promise<void> => {
  app.get(
    '/lifecycle',
    {
      config: { public: true },
      schema: {
        summary: 'The agreement lifecycle as a chart: its states and the events between them',
        tags: ['lifecycle'],
        response: { 200: LifecycleChartSchema },
      },
    },
    () => {
      const chart = lifecycleChartOf();
      return { ...chart, states: [...chart.states], transitions: [...chart.transitions] };
    },
  );

  app.get(
    '/me',
    {
      schema: {
        summary: 'Who the bearer token says the caller is',
        tags: ['sign-in'],
        security: [{ bearerAuth: [] }],
        response: {
          200: z.object({
            subject: z.string(),
            displayName: z.string(),
            roles: z.array(z.enum(ROLES)),
            municipality: z.string().nullable(),
          }),
        },
      },
    },
    (request) => {
      const actor = actorOf(request);
      return { ...actor, roles: [...actor.roles] };
    },
  );

  app.get(
    '/auth/config',
    {
      config: { public: true },
      schema: {
        summary: 'How the browser workspace signs in',
        tags: ['sign-in'],
        response: { 200: SignInConfigSchema },
      },
    },
    () => signInConfigOf(options.auth),
  );

  const auth = options.auth;
  if (auth.mode === 'dev') {
    app.post(
      '/auth/dev-tokens',
      {
        config: { public: true },
        schema: {
          summary: 'Mint a development token (only with AUTH_MODE=dev; never in production)',
          tags: ['sign-in'],
          body: DevTokenRequestSchema,
          response: { 201: z.object({ token: z.string(), expiresAt: z.iso.datetime() }) },
        },
      },
      async (request, reply) => {
        const { roles, municipality, name } = request.body;
        const token = await mintDevToken({
          secret: auth.secret,
          issuer: auth.issuer,
          audience: auth.audience,
          subject: `dev:${roles.join('+')}:${municipality ?? 'all'}:${name}`,
          name,
          roles,
          ...(municipality === undefined ? {} : { municipality }),
        });
        const { exp } = decodeJwt(token);
        const expiresAt = new Date((exp ?? 0) * 1000).toISOString();
        return reply.code(201).send({ token, expiresAt });
      },
    );
  }

  const root = options.assetsDirectory;
  const built = root !== undefined && existsSync(join(root, 'index.html'));
  // Only files that exist are ever sent: without a build the routes answer 503 before sending.
  if (built) await app.register(fastifyStatic, { root, serve: false, decorateReply: true });
  const notBuilt = () =>
    WebAppNotBuilt(
      'Build it with `pnpm --filter @twinning/web build` (pnpm start does this), then reload.',
    );
  const csp = contentSecurityPolicyOf(options.auth);
  const hidden = { hide: true };

  app.get('/', { config: { public: true }, schema: hidden }, (_request, reply) => {
    if (!built) throw notBuilt();
    return reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .sendFile('index.html', { cacheControl: false });
  });
  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    { config: { public: true }, schema: hidden },
    (request, reply) => {
      if (!built) throw notBuilt();
      // Vite names every asset after its content, so a name never changes meaning.
      return reply
        .header('x-content-type-options', 'nosniff')
        .sendFile(join('assets', request.params['*']), { immutable: true, maxAge: '365d' });
    },
  );
};
