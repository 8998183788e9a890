import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.js';
import { startStandaloneOnPGlite, type SystemUnderTest } from '../support/systems.js';
import {
  chromiumMissing,
  ensureWebAppBuilt,
  heading,
  launchChromium,
  saveScreenshot,
  titleWithSkipReason,
} from './support/browser.js';

/**
 * Production sign-in: the API runs with AUTH_MODE=oidc against a real OpenID Connect provider on
 * 127.0.0.1, and the web workspace signs in with the authorisation code flow and PKCE. The
 * provider's own sign-in form stands in for the council's identity provider.
 */
/** oidc-provider names resource servers by absolute URI (RFC 8707 resource indicators). */
const API_AUDIENCE = 'urn:twinning:api';

describe.skipIf(chromiumMissing)(
  titleWithSkipReason('signing in through the identity provider (OIDC, PKCE)'),
  () => {
    let identityProvider: TestIdentityProvider;
    let system: SystemUnderTest & { readonly baseUrl: string };
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      await ensureWebAppBuilt();
      identityProvider = await startIdentityProvider({
        audience: API_AUDIENCE,
        accounts: [
          {
            login: 'clerk.coventry',
            name: 'Coventry clerk',
            roles: ['clerk'],
            municipality: 'gb-coventry',
          },
        ],
      });
      [system, browser] = await Promise.all([
        startStandaloneOnPGlite({
          AUTH_MODE: 'oidc',
          AUTH_ISSUER: identityProvider.issuer,
          AUTH_JWKS_URL: identityProvider.jwksUrl,
          AUTH_AUDIENCE: API_AUDIENCE,
          AUTH_WEB_CLIENT_ID: 'twinning-web',
        }),
        launchChromium(),
      ]);
      identityProvider.serve({ clientId: 'twinning-web', redirectUri: `${system.baseUrl}/` });
      page = await (await browser.newContext()).newPage();
    });

    afterAll(async () => {
      await browser?.close();
      await system?.close();
      await identityProvider?.close();
    });

    it('leaves for the provider, comes back signed in, and the API accepts the token', async () => {
      await page.goto(`${system.baseUrl}/#/agreements`);
      await heading(page, 'Sign in').waitFor();
      await page.getByRole('button', { name: /sign in/i }).click();

      // The identity provider's page, on its own origin.
      await page.waitForURL((url) => url.href.startsWith(identityProvider.issuer));
      await page.locator('input[name="login"]').fill('clerk.coventry');
      await page.locator('input[name="password"]').fill('any password will do');
      await page.locator('button[type="submit"]').click();

      await page.waitForURL((url) => url.href.startsWith(system.baseUrl));
      await page.getByTestId('signed-in-as').getByText('Signed in as Coventry clerk').waitFor();
      // The code and state are gone from the address bar once exchanged.
      expect(new URL(page.url()).search).toBe('');
      await heading(page, /agreements/i).waitFor();
      await saveScreenshot(page, 'oidc-signed-in');

      // The access token the workspace keeps is one the API itself verifies against the JWKS.
      const stored = await page.evaluate('window.sessionStorage.getItem("twinning.session")');
      const { token } = JSON.parse(String(stored)) as { token: string };
      const me = await fetch(`${system.baseUrl}/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.status).toBe(200);
      expect(await me.json()).toEqual({
        subject: 'clerk.coventry',
        displayName: 'Coventry clerk',
        roles: ['clerk'],
        municipality: 'gb-coventry',
      });
      const forged = `${token.slice(0, -4)}AAAA`;
      const refused = await fetch(`${system.baseUrl}/me`, {
        headers: { authorization: `Bearer ${forged}` },
      });
      expect(refused.status).toBe(401);
    });

    it('refuses a development token: the API trusts only the identity provider', async () => {
      const response = await fetch(`${system.baseUrl}/auth/dev-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ roles: ['admin'], name: 'Intruder' }),
      });
      expect(response.status).not.toBe(201);
    });
  },
);
