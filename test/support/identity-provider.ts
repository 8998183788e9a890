import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** A person who can sign in at the test identity provider, and the claims their token carries. */
export interface IdentityProviderAccount {
  /** What is typed as the login name on the provider's sign-in page. */
  readonly login: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly municipality?: string;
}

export interface IdentityProviderClient {
  readonly clientId: string;
  readonly redirectUri: string;
}

export interface TestIdentityProvider {
  /** `http://127.0.0.1:<port>`: the `iss` of every token. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Registers the browser client once its address is known, and starts answering. */
  serve(client: IdentityProviderClient): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (panva's `oidc-provider`, the certified implementation) on
 * 127.0.0.1: authorisation code with PKCE for a public client, its development sign-in form
 * (any password), consent granted without asking, and RS256 JWT access tokens for `audience`
 * that carry the account's roles and municipality. It listens first (so the issuer is known
 * before the API starts), and answers once `serve` names the client.
 */
export const startIdentityProvider = async (options: {
  readonly audience: string;
  readonly accounts: readonly IdentityProviderAccount[];
}): Promise<TestIdentityProvider> => {
  let handle: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const server = createServer((request, response) => {
    if (handle === undefined) {
      response.writeHead(503).end('not configured yet');
      return;
    }
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accountOf = (login: string | undefined) =>
    options.accounts.find((account) => account.login === login);
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk',
  });
  const scope = 'openid profile';

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    serve(client) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: client.clientId,
            token_endpoint_auth_method: 'none',
            redirect_uris: [client.redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        jwks: { keys: [{ ...signingKey, alg: 'RS256', use: 'sig', kid: 'test-key' }] },
        cookies: { keys: ['twinning-test-identity-provider'] },
        pkce: { required: () => true },
        findAccount: (_context, id) => {
          const account = accountOf(id);
          return account === undefined
            ? undefined
            : { accountId: id, claims: () => ({ sub: id, name: account.name }) };
        },
        features: {
          devInteractions: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => options.audience,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({
              scope,
              audience: options.audience,
              accessTokenTTL: 3600,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'RS256' } },
            }),
          },
        },
        // Consent is granted as asked, so the test sees only the sign-in form.
        async loadExistingGrant(context: KoaContextWithOIDC) {
          const { client: requester, session } = context.oidc;
          if (requester === undefined || session?.accountId === undefined) return undefined;
          const grant = new context.oidc.provider.Grant({
            clientId: requester.clientId,
            accountId: session.accountId,
          });
          grant.addOIDCScope(scope);
          grant.addResourceScope(options.audience, scope);
          await grant.save();
          return grant;
        },
        extraTokenClaims: (_context, token) => {
          const account = 'accountId' in token ? accountOf(token.accountId) : undefined;
          if (account === undefined) return undefined;
          return {
            name: account.name,
            roles: [...account.roles],
            ...(account.municipality === undefined ? {} : { municipality: account.municipality }),
          };
        },
      });
      const callback = provider.callback();
      handle = (request, response) => {
        void callback(request, response);
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
};
