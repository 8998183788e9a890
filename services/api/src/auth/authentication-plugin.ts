import { Unauthenticated, HttpProblemError } from '@twinning/http-kit';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Actor } from './actor.js';
import { TokenRejectedError } from './token-verifier.js';
import type { TokenRejection, TokenVerifier } from './token-verifier.js';

export const AUTH_REALM = 'twinning';

export interface AuthenticationOptions {
  readonly verifier: TokenVerifier;
  /**
   * Route templates under these prefixes need no token (for routes the API does not declare
   * itself, such as the Swagger UI's). Routes declared with `config: { public: true }` (health,
   * metrics, OpenAPI) need none either.
   */
  readonly publicRoutePrefixes?: readonly string[];
}

const AuthenticationUnavailable = (cause: unknown) =>
  new HttpProblemError('TWN_ERR_AUTH_UNAVAILABLE', 503, 'Authentication unavailable', {
    detail: 'The token could not be checked right now; try again shortly.',
    headers: { 'retry-after': '5' },
    cause,
  });

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const challenge = (rejection: TokenRejection, description: string): string =>
  rejection === 'missing'
    ? `Bearer realm="${AUTH_REALM}"`
    : `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${description.replaceAll('"', "'")}"`;

const refusal = (rejection: TokenRejection, detail: string) =>
  Unauthenticated({
    detail,
    extensions: { reason: rejection },
    headers: { 'www-authenticate': challenge(rejection, detail) },
  });

/** The token in `Authorization: Bearer <token>`; throws the 401 problem when there is none. */
export const bearerTokenOf = (authorization: string | undefined): string => {
  if (authorization === undefined || authorization.trim() === '') {
    throw refusal('missing', 'A bearer token is required');
  }
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined) {
    throw refusal('malformed', 'The Authorization header is not "Bearer <token>"');
  }
  return token;
};

/**
 * Authenticates every request except public routes, and sets `request.actor`. Registered with
 * `fastify-plugin` so that its hook covers the routes of the app that registers it, not only its
 * own (empty) scope.
 */
const authentication: FastifyPluginCallback<AuthenticationOptions> = (app, options, done) => {
  const publicPrefixes = options.publicRoutePrefixes ?? [];
  const isPublic = (request: FastifyRequest): boolean => {
    if (request.routeOptions.config.public === true) return true;
    // The route template, not the raw URL, so `/docs/../agreements` cannot borrow a public prefix.
    const route = request.is404 ? undefined : request.routeOptions.url;
    return route !== undefined && publicPrefixes.some((prefix) => route.startsWith(prefix));
  };

  if (!app.hasRequestDecorator('actor')) app.decorateRequest('actor', null);

  app.addHook('onRequest', async (request) => {
    if (isPublic(request)) return;
    const token = bearerTokenOf(request.headers.authorization);
    try {
      request.actor = await options.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenRejectedError) throw refusal(error.reason, error.message);
      request.log.error({ err: error }, 'token verification unavailable');
      throw AuthenticationUnavailable(error);
    }
  });
  done();
};

export const authenticationPlugin = fastifyPlugin(authentication, {
  name: '@twinning/api/authentication',
  fastify: '5.x',
});

/** The authenticated actor of a route that requires one. */
export const actorOf = (request: FastifyRequest): Actor => {
  const actor = request.actor;
  if (actor === null) throw refusal('missing', 'A bearer token is required');
  return actor;
};
