import { ConfigError } from '@twinning/http-kit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEV_SECRET, loadAuthConfig } from './auth-config.js';

const configErrorOf = (env: Record<string, string>): ConfigError => {
  try {
    loadAuthConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadAuthConfig', () => {
  it('runs in dev mode with the documented insecure secret when nothing is set', () => {
    expect(loadAuthConfig({})).toEqual({
      mode: 'dev',
      secret: DEFAULT_DEV_SECRET,
      usesDefaultSecret: true,
      issuer: 'twinning-dev',
      audience: 'twinning-api',
    });
  });

  it('uses AUTH_DEV_SECRET in dev mode and refuses a short one', () => {
    const secret = 'a-long-enough-development-secret-for-hs256';
    expect(loadAuthConfig({ AUTH_MODE: 'dev', AUTH_DEV_SECRET: secret })).toMatchObject({
      secret,
      usesDefaultSecret: false,
    });
    expect(configErrorOf({ AUTH_DEV_SECRET: 'short' }).message).toContain(
      'AUTH_DEV_SECRET: must be at least 32 characters',
    );
  });

  it('reads the JWKS URL, issuer and audience in oidc mode', () => {
    expect(
      loadAuthConfig({
        AUTH_MODE: 'oidc',
        AUTH_JWKS_URL: 'https://id.example/realms/twinning/protocol/openid-connect/certs',
        AUTH_ISSUER: 'https://id.example/realms/twinning',
        AUTH_AUDIENCE: 'twinning-api',
      }),
    ).toEqual({
      mode: 'oidc',
      jwksUrl: new URL('https://id.example/realms/twinning/protocol/openid-connect/certs'),
      issuer: 'https://id.example/realms/twinning',
      audience: 'twinning-api',
    });
  });

  it('names every missing oidc variable, and refuses the dev secret in oidc mode', () => {
    const error = configErrorOf({ AUTH_MODE: 'oidc', AUTH_DEV_SECRET: DEFAULT_DEV_SECRET });
    expect(error.variables).toEqual([
      'AUTH_JWKS_URL',
      'AUTH_ISSUER',
      'AUTH_AUDIENCE',
      'AUTH_DEV_SECRET',
    ]);
    expect(error.message).not.toContain(DEFAULT_DEV_SECRET);
  });

  it('reads the web client id and scope the browser workspace signs in with', () => {
    expect(
      loadAuthConfig({
        AUTH_MODE: 'oidc',
        AUTH_JWKS_URL: 'https://id.example/certs',
        AUTH_ISSUER: 'https://id.example',
        AUTH_AUDIENCE: 'twinning-api',
        AUTH_WEB_CLIENT_ID: 'twinning-web',
      }),
    ).toMatchObject({ web: { clientId: 'twinning-web', scope: 'openid profile' } });
  });

  it('refuses an unknown mode and a JWKS URL that is not http(s)', () => {
    expect(configErrorOf({ AUTH_MODE: 'none' }).variables).toEqual(['AUTH_MODE']);
    const error = configErrorOf({
      AUTH_MODE: 'oidc',
      AUTH_JWKS_URL: 'file:///etc/jwks.json',
      AUTH_ISSUER: 'https://id.example',
      AUTH_AUDIENCE: 'twinning-api',
    });
    expect(error.message).toContain('AUTH_JWKS_URL: must use https or http');
  });
});
