import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpApp, createLogger } from '@twinning/http-kit';
import type { HttpApp, ProblemDocument } from '@twinning/http-kit';
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEV_SECRET, loadAuthConfig } from './auth-config.js';
import { authenticationPlugin } from './authentication-plugin.js';
import { createTokenVerifier } from './token-verifier.js';

const ISSUER = 'https://id.twinning.test/realms/councils';
const AUDIENCE = 'twinning-api';

const auditor = { sub: 'auditor-3', name: 'Federal auditor', roles: ['auditor'] };

let jwksServer: Server;
let jwksUrl: string;
let identityProviderKey: { privateKey: CryptoKey; publicKey: CryptoKey };
let jwksRequests = 0;

const listenOnLoopback = (server: Server) =>
  new Promise<string>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });

beforeAll(async () => {
  identityProviderKey = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = {
    ...(await exportJWK(identityProviderKey.publicKey)),
    kid: 'council-key-1',
    alg: 'RS256',
    use: 'sig',
  };
  jwksServer = createServer((request, response) => {
    if (request.url !== '/protocol/openid-connect/certs') {
      response.writeHead(404).end();
      return;
    }
    jwksRequests += 1;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [publicJwk] }));
  });
  jwksUrl = `${await listenOnLoopback(jwksServer)}/protocol/openid-connect/certs`;
});

afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
});

const buildApp = async (url: string): Promise<HttpApp> => {
  const app = await createHttpApp({
    name: 'api',
    logger: createLogger({ name: 'api', level: 'silent' }),
    defaultMetrics: false,
  });
  const config = loadAuthConfig({
    AUTH_MODE: 'oidc',
    AUTH_JWKS_URL: url,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  });
  await app.register(authenticationPlugin, { verifier: createTokenVerifier(config) });
  app.get('/whoami', (request) => request.actor);
  return app;
};

let app: HttpApp;
beforeEach(async () => {
  app = await buildApp(jwksUrl);
});
afterEach(async () => {
  await app.close();
});

const rs256 = (
  claims: JWTPayload,
  {
    key = identityProviderKey.privateKey,
    kid = 'council-key-1',
    iss = ISSUER,
    aud = AUDIENCE,
    exp = '10m',
  }: { key?: CryptoKey; kid?: string; iss?: string; aud?: string; exp?: string | number } = {},
) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);

const call = (token: string) =>
  app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${token}` } });

const expectRefused = async (token: string, reason: string) => {
  const response = await call(token);
  expect(response.statusCode).toBe(401);
  expect(response.json<ProblemDocument>()).toMatchObject({
    code: 'TWN_ERR_UNAUTHENTICATED',
    reason,
  });
  expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
};

describe('signing in against a JWKS (oidc mode)', () => {
  it('accepts a token signed by the identity provider, fetching its keys over HTTP', async () => {
    const before = jwksRequests;
    const response = await call(await rs256(auditor));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      subject: 'auditor-3',
      displayName: 'Federal auditor',
      roles: ['auditor'],
      municipality: null,
    });
    expect(jwksRequests).toBeGreaterThan(before);
  });

  it('accepts a clerk token and refuses one without a municipality', async () => {
    const clerk = { sub: 'clerk-4', name: 'Kiel clerk', roles: ['clerk'], municipality: 'de-kiel' };
    expect((await call(await rs256(clerk))).json()).toMatchObject({ municipality: 'de-kiel' });
    await expectRefused(await rs256({ sub: 'clerk-5', roles: ['clerk'] }), 'invalid_claims');
  });

  it('refuses a token from another issuer or for another audience', async () => {
    await expectRefused(await rs256(auditor, { iss: 'https://evil.example/' }), 'wrong_issuer');
    await expectRefused(await rs256(auditor, { aud: 'webhook-dispatcher' }), 'wrong_audience');
  });

  it('refuses an expired token', async () => {
    await expectRefused(
      await rs256(auditor, { exp: Math.floor(Date.now() / 1000) - 60 }),
      'expired',
    );
  });

  it('refuses a token signed by another key under the same key id (forged)', async () => {
    const forger = await generateKeyPair('RS256');
    await expectRefused(await rs256(auditor, { key: forger.privateKey }), 'invalid_signature');
  });

  it('refuses a token whose key id the identity provider does not publish', async () => {
    await expectRefused(await rs256(auditor, { kid: 'unknown-key' }), 'invalid_signature');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const publicPem = new TextEncoder().encode(await exportSPKI(identityProviderKey.publicKey));
    const confused = await new SignJWT({ ...auditor, roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'council-key-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(publicPem);
    await expectRefused(confused, 'algorithm_not_allowed');
  });

  it('refuses a token signed with the development secret', async () => {
    const devToken = await new SignJWT(auditor)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(DEFAULT_DEV_SECRET));
    await expectRefused(devToken, 'algorithm_not_allowed');
  });

  it('refuses an unsecured token (alg: none)', async () => {
    const unsecured = new UnsecuredJWT({ ...auditor, roles: ['admin'] })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .encode();
    await expectRefused(`${unsecured}AAAA`, 'algorithm_not_allowed');
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const closed = createServer();
    const closedUrl = await listenOnLoopback(closed);
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await buildApp(`${closedUrl}/certs`);
    try {
      const response = await unreachable.inject({
        method: 'GET',
        url: '/whoami',
        headers: { authorization: `Bearer ${await rs256(auditor)}` },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ code: 'TWN_ERR_AUTH_UNAVAILABLE' });
      expect(response.headers['retry-after']).toBe('5');
    } finally {
      await unreachable.close();
    }
  });
});
