import { createHttpApp, createLogger } from '@twinning/http-kit';
import type { HttpApp, ProblemDocument } from '@twinning/http-kit';
import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadAuthConfig } from './auth-config.js';
import { authenticationPlugin } from './authentication-plugin.js';
import { mintDevToken } from './dev-token.js';
import { requireRole } from './require-role.js';
import { createTokenVerifier } from './token-verifier.js';

const SECRET = 'coventry-kiel-dresden-belgrade-test-secret';
const secretKey = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

const coventryClerk = {
  sub: 'clerk-17',
  name: 'Coventry clerk',
  roles: ['clerk'],
  municipality: 'gb-coventry',
};

const signed = (
  claims: JWTPayload,
  overrides: { iss?: string; aud?: string; exp?: number; nbf?: number; key?: Uint8Array } = {},
) => {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setIssuer(overrides.iss ?? 'twinning-dev')
    .setAudience(overrides.aud ?? 'twinning-api')
    .setExpirationTime(overrides.exp ?? now() + 600);
  if (overrides.nbf !== undefined) jwt.setNotBefore(overrides.nbf);
  return jwt.sign(overrides.key ?? secretKey);
};

let app: HttpApp;
beforeEach(async () => {
  app = await createHttpApp({
    name: 'api',
    logger: createLogger({ name: 'api', level: 'silent' }),
    defaultMetrics: false,
  });
  await app.register(authenticationPlugin, {
    verifier: createTokenVerifier(loadAuthConfig({ AUTH_MODE: 'dev', AUTH_DEV_SECRET: SECRET })),
    publicRoutePrefixes: ['/docs'],
  });
  app.get('/whoami', (request) => request.actor);
  app.post(
    '/agreements',
    {
      preHandler: requireRole('clerk'),
      schema: { querystring: z.object({ dryRun: z.enum(['true', 'false']).optional() }) },
    },
    (request) => ({ proposed: request.query.dryRun !== 'true' }),
  );
  app.get('/audit', { preHandler: requireRole('auditor', 'admin') }, () => ({ replayed: true }));
  app.get('/docs/static/index.html', () => 'documentation');
});
afterEach(async () => {
  await app.close();
});

const call = (token: string | undefined, url = '/whoami', method: 'GET' | 'POST' = 'GET') =>
  app.inject({
    method,
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

const expectRefused = async (token: string | undefined, reason: string) => {
  const response = await call(token);
  expect(response.statusCode).toBe(401);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<ProblemDocument>();
  expect(problem).toMatchObject({ status: 401, code: 'TWN_ERR_UNAUTHENTICATED', reason });
  expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="twinning"/);
  return { response, problem };
};

describe('signing in with a bearer token (dev mode, HS256)', () => {
  it.each([
    [
      'clerk',
      coventryClerk,
      {
        subject: 'clerk-17',
        displayName: 'Coventry clerk',
        roles: ['clerk'],
        municipality: 'gb-coventry',
      },
    ],
    [
      'auditor',
      { sub: 'auditor-3', name: 'Federal auditor', roles: ['auditor'] },
      {
        subject: 'auditor-3',
        displayName: 'Federal auditor',
        roles: ['auditor'],
        municipality: null,
      },
    ],
    [
      'admin',
      { sub: 'admin-1', roles: ['admin', 'admin'], municipality: 'de-kiel' },
      { subject: 'admin-1', displayName: 'admin-1', roles: ['admin'], municipality: 'de-kiel' },
    ],
  ])('accepts a valid %s token and sets the actor', async (_role, claims, actor) => {
    const response = await call(await signed(claims));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(actor);
  });

  it('accepts a token minted by mintDevToken with the same secret', async () => {
    const token = await mintDevToken({
      secret: SECRET,
      subject: 'clerk-9',
      name: 'Toledo clerk',
      roles: ['clerk'],
      municipality: 'es-toledo',
    });
    expect((await call(token)).json()).toMatchObject({
      subject: 'clerk-9',
      municipality: 'es-toledo',
    });
  });

  it('refuses a request without a token, with a bare Bearer challenge', async () => {
    const { response } = await expectRefused(undefined, 'missing');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="twinning"');
  });

  it.each([
    ['a token that is not a JWT', 'not-a-jwt'],
    ['a JWT with garbage segments', 'abc.def.ghi'],
    ['a JWT with a truncated signature', 'eyJhbGciOiJIUzI1NiJ9.e30.'],
  ])('refuses %s as malformed', async (_case, token) => {
    const { response } = await expectRefused(token, 'malformed');
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/whoami',
      headers: { authorization: 'Basic Y292ZW50cnk6a2llbA==' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ reason: 'malformed' });
  });

  it('refuses an expired token, allowing only a few seconds of clock skew', async () => {
    await expectRefused(await signed(coventryClerk, { exp: now() - 60 }), 'expired');
    await expectRefused(await signed(coventryClerk, { exp: now() - 10 }), 'expired');
    expect((await call(await signed(coventryClerk, { exp: now() - 2 }))).statusCode).toBe(200);
  });

  it('refuses a token that is not valid yet', async () => {
    await expectRefused(await signed(coventryClerk, { nbf: now() + 60 }), 'not_yet_valid');
  });

  it('refuses a token signed with another secret (forged)', async () => {
    const forged = await signed(coventryClerk, {
      key: new TextEncoder().encode('a-forger-who-guessed-the-claims-but-not-the-key'),
    });
    await expectRefused(forged, 'invalid_signature');
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const [header, , signature] = (await signed(coventryClerk)).split('.');
    const promoted = Buffer.from(
      JSON.stringify({ ...coventryClerk, roles: ['admin'], exp: now() + 600 }),
    ).toString('base64url');
    await expectRefused(`${header}.${promoted}.${signature}`, 'invalid_signature');
  });

  it('refuses an unsecured token (alg: none)', async () => {
    const unsecured = new UnsecuredJWT({ ...coventryClerk, roles: ['admin'] })
      .setIssuer('twinning-dev')
      .setAudience('twinning-api')
      .setExpirationTime('10m')
      .encode();
    // `none` tokens end with an empty signature; send one with a placeholder too.
    await expectRefused(unsecured, 'malformed');
    await expectRefused(`${unsecured}AAAA`, 'algorithm_not_allowed');
  });

  it('refuses an RS256 token where only HS256 is accepted', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT(coventryClerk)
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('twinning-dev')
      .setAudience('twinning-api')
      .setExpirationTime('10m')
      .sign(privateKey);
    await expectRefused(token, 'algorithm_not_allowed');
  });

  it('refuses a token for another issuer or audience', async () => {
    await expectRefused(await signed(coventryClerk, { iss: 'someone-else' }), 'wrong_issuer');
    await expectRefused(await signed(coventryClerk, { aud: 'another-api' }), 'wrong_audience');
  });

  it('refuses a clerk token without a municipality, naming the claim', async () => {
    const { problem } = await expectRefused(
      await signed({ sub: 'clerk-1', roles: ['clerk'] }),
      'invalid_claims',
    );
    expect(problem.detail).toContain('municipality is required for a clerk');
  });

  it('refuses unknown roles, bad city ids and tokens without an expiry', async () => {
    await expectRefused(await signed({ ...coventryClerk, roles: ['mayor'] }), 'invalid_claims');
    await expectRefused(
      await signed({ ...coventryClerk, municipality: 'Coventry' }),
      'invalid_claims',
    );
    const noExpiry = await new SignJWT(coventryClerk)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('twinning-dev')
      .setAudience('twinning-api')
      .sign(secretKey);
    await expectRefused(noExpiry, 'invalid_claims');
  });
});

describe('permissions', () => {
  it('lets a role through the routes that require it', async () => {
    const clerk = await signed(coventryClerk);
    expect((await call(clerk, '/agreements', 'POST')).statusCode).toBe(200);
    const admin = await signed({ sub: 'admin-1', roles: ['admin'] });
    expect((await call(admin, '/audit')).json()).toEqual({ replayed: true });
  });

  it('answers 403 with the roles needed when the actor has none of them', async () => {
    const auditor = await signed({ sub: 'auditor-3', roles: ['auditor'] });
    const response = await call(auditor, '/agreements', 'POST');
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 403,
      code: 'TWN_ERR_FORBIDDEN',
      requiredRoles: ['clerk'],
    });
    expect((await call(await signed(coventryClerk), '/audit')).statusCode).toBe(403);
  });
});

describe('public routes', () => {
  it.each([
    '/health/live',
    '/health/ready',
    '/metrics',
    '/openapi.json',
    '/docs/static/index.html',
  ])('serves %s without a token', async (url) => {
    expect((await call(undefined, url)).statusCode).toBe(200);
  });

  it('does not let a public prefix in the URL unlock another route', async () => {
    const response = await call(undefined, '/docs/../whoami');
    expect(response.statusCode).toBe(401);
  });

  it('asks for a token before revealing whether a route exists', async () => {
    expect((await call(undefined, '/no-such-route')).statusCode).toBe(401);
    expect((await call(await signed(coventryClerk), '/no-such-route')).statusCode).toBe(404);
  });
});
