import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CityId } from '@twinning/domain';
import { createInMemoryEventStore } from '@twinning/event-store';
import { createLogger, type HttpApp } from '@twinning/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createTokenVerifier, loadAuthConfig, type AuthConfig } from '../auth/index.js';
import type { MunicipalityDirectory } from '../municipalities/municipality-directory.js';

const noMunicipalities: MunicipalityDirectory = {
  citiesWithClerks: (cityIds: readonly CityId[]) => Promise.resolve(cityIds),
  recordClerk: () => Promise.resolve(),
  list: () => Promise.resolve([]),
  set: () => Promise.reject(new Error('not used by the web routes')),
};

const appWith = async (auth: AuthConfig, assetsDirectory?: string): Promise<HttpApp> => {
  const app = await buildApp({
    store: createInMemoryEventStore(),
    municipalities: noMunicipalities,
    verifier: createTokenVerifier(auth),
    logger: createLogger({ name: 'twinning-api', level: 'silent' }),
    web: { auth, ...(assetsDirectory === undefined ? {} : { assetsDirectory }) },
  });
  await app.ready();
  return app;
};

const oidc = loadAuthConfig({
  AUTH_MODE: 'oidc',
  AUTH_JWKS_URL: 'https://id.example/certs',
  AUTH_ISSUER: 'https://id.example/realms/twinning',
  AUTH_AUDIENCE: 'twinning-api',
  AUTH_WEB_CLIENT_ID: 'twinning-web',
});

let assets: string;
let devApp: HttpApp;
beforeAll(async () => {
  assets = await mkdtemp(join(tmpdir(), 'twinning-web-assets-'));
  await mkdir(join(assets, 'assets'));
  await writeFile(join(assets, 'index.html'), '<!doctype html><title>Twinning</title>');
  await writeFile(join(assets, 'assets', 'app-3f2a.js'), 'console.log("twinning")');
  devApp = await appWith(loadAuthConfig({ AUTH_MODE: 'dev' }), assets);
});
afterAll(async () => {
  await devApp.close();
  await rm(assets, { recursive: true, force: true });
});

describe('the browser workspace files', () => {
  it('serves index.html at / without a token, never cached stale, with a content security policy', async () => {
    const page = await devApp.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<title>Twinning</title>');
  });

  it('serves hashed assets for a year, and 404s (problem+json) for anything else', async () => {
    const script = await devApp.inject({ method: 'GET', url: '/assets/app-3f2a.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.headers['cache-control']).toContain('immutable');
    for (const url of [
      '/assets/missing.js',
      '/assets/../index.html',
      '/assets/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      const response = await devApp.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.body, url).not.toContain('root:');
    }
  });

  it('keeps the API behind its token: / is public, /agreements is not', async () => {
    expect((await devApp.inject({ method: 'GET', url: '/agreements/x' })).statusCode).toBe(401);
  });

  it('answers 503 with what to do when the workspace has not been built', async () => {
    const app = await appWith(loadAuthConfig({ AUTH_MODE: 'dev' }), join(assets, 'nowhere'));
    try {
      const page = await app.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(503);
      expect(page.headers['content-type']).toContain('application/problem+json');
      expect(page.json()).toMatchObject({ code: 'TWN_ERR_WEB_APP_NOT_BUILT' });
    } finally {
      await app.close();
    }
  });
});

describe('signing in from the browser', () => {
  it('tells the browser to use development tokens, and mints one the API accepts', async () => {
    expect((await devApp.inject({ method: 'GET', url: '/auth/config' })).json()).toEqual({
      mode: 'dev',
    });
    const minted = await devApp.inject({
      method: 'POST',
      url: '/auth/dev-tokens',
      payload: { roles: ['clerk'], municipality: 'gb-coventry', name: 'Coventry clerk' },
    });
    expect(minted.statusCode).toBe(201);
    const { token, expiresAt } = minted.json<{ token: string; expiresAt: string }>();
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const whoami = await devApp.inject({
      method: 'GET',
      url: '/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(whoami.json()).toMatchObject({
      displayName: 'Coventry clerk',
      roles: ['clerk'],
      municipality: 'gb-coventry',
    });
  });

  it('refuses a clerk token without a municipality, and an unknown role, changing nothing', async () => {
    for (const payload of [
      { roles: ['clerk'], name: 'Nobody' },
      { roles: ['mayor'], name: 'Nobody' },
      { roles: [], name: 'Nobody' },
      { roles: ['auditor'], name: '' },
    ]) {
      const response = await devApp.inject({ method: 'POST', url: '/auth/dev-tokens', payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('gives the identity provider and client in oidc mode, and mints no development tokens', async () => {
    const app = await appWith(oidc, assets);
    try {
      expect((await app.inject({ method: 'GET', url: '/auth/config' })).json()).toEqual({
        mode: 'oidc',
        issuer: 'https://id.example/realms/twinning',
        clientId: 'twinning-web',
        scope: 'openid profile',
        audience: 'twinning-api',
      });
      const minted = await app.inject({
        method: 'POST',
        url: '/auth/dev-tokens',
        payload: { roles: ['admin'], name: 'Intruder' },
      });
      // No such route: like any unknown path, it asks for a token first.
      expect([401, 404]).toContain(minted.statusCode);
      expect(minted.body).not.toContain('token"');
      const page = await app.inject({ method: 'GET', url: '/' });
      expect(page.headers['content-security-policy']).toContain(
        "connect-src 'self' https://id.example",
      );
    } finally {
      await app.close();
    }
  });
});

describe('the lifecycle chart', () => {
  it('is public and drawn from the machine', async () => {
    const chart = await devApp.inject({ method: 'GET', url: '/lifecycle' });
    expect(chart.statusCode).toBe(200);
    expect(chart.json()).toMatchObject({
      initial: 'proposed',
      transitions: expect.arrayContaining([
        { from: 'signed', to: 'active', event: 'AgreementActivated' },
      ]) as unknown,
    });
  });
});
