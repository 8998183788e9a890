import * as oauth from 'oauth4webapi';
import type { SignInConfig } from '../api/types';
import {
  redirectUriOf,
  savePendingSignIn,
  takePendingSignIn,
  type PendingSignIn,
} from './pending-sign-in';
import { sessionOf, type Session } from './session';

type OidcConfig = Extract<SignInConfig, { mode: 'oidc' }>;

/**
 * Plain http only to a provider on this machine's loopback (a development or test provider);
 * anywhere else the provider must be reached over https.
 */
export const allowsPlainHttp = (issuer: URL): boolean =>
  issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);

const requestOptions = (config: OidcConfig) => ({
  [oauth.allowInsecureRequests]: allowsPlainHttp(new URL(config.issuer)),
});

const discover = async (config: OidcConfig): Promise<oauth.AuthorizationServer> => {
  const issuer = new URL(config.issuer);
  return oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions(config) }),
  );
};

/**
 * Leaves for the identity provider: an authorisation code request with PKCE (S256) and a random
 * state, both kept in this tab's sessionStorage until the provider sends the user back to `/`.
 */
export const beginOidcSignIn = async (config: OidcConfig, returnTo: string): Promise<void> => {
  const server = await discover(config);
  if (server.authorization_endpoint === undefined) {
    throw new Error('the identity provider names no authorization endpoint');
  }
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const pending: PendingSignIn = {
    state: oauth.generateRandomState(),
    codeVerifier,
    returnTo,
    startedAt: Date.now(),
  };
  savePendingSignIn(window.sessionStorage, pending);
  const url = new URL(server.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUriOf(window.location.origin));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  // Some providers issue access tokens for an API only when asked for its audience.
  url.searchParams.set('audience', config.audience);
  window.location.assign(url.href);
};

/**
 * Back from the identity provider with `?code=…&state=…`: checks the state against the one kept,
 * exchanges the code with the PKCE verifier, and answers the session (the access token is the
 * API's bearer token) with the route to return to.
 */
export const completeOidcSignIn = async (
  config: OidcConfig,
  callbackUrl: URL,
): Promise<{ readonly session: Session; readonly returnTo: string }> => {
  const pending = takePendingSignIn(window.sessionStorage, Date.now());
  if (pending === null) throw new Error('no sign-in was started in this tab, or it took too long');
  const server = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  const parameters = oauth.validateAuthResponse(server, client, callbackUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.None(),
    parameters,
    redirectUriOf(window.location.origin),
    pending.codeVerifier,
    requestOptions(config),
  );
  const tokens = await oauth.processAuthorizationCodeResponse(server, client, response);
  const expiresAt =
    tokens.expires_in === undefined
      ? undefined
      : new Date(Date.now() + tokens.expires_in * 1000).toISOString();
  const session = sessionOf(tokens.access_token, expiresAt);
  if (session === null) throw new Error('the access token is not a JWT the API can read');
  return { session, returnTo: pending.returnTo };
};
