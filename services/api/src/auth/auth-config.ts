import { loadConfig, urlVariable } from '@twinning/http-kit';
import type { Environment } from '@twinning/http-kit';
import { z } from 'zod';

/**
 * The development signing secret. INSECURE: it is public (it is in the source), so anyone can
 * mint tokens with it. It is only ever used with `AUTH_MODE=dev`, for local work and standalone
 * demos; production runs `AUTH_MODE=oidc` against the identity provider's JWKS.
 */
export const DEFAULT_DEV_SECRET = 'twinning-dev-secret-INSECURE-do-not-use-in-production';

export const DEV_ISSUER = 'twinning-dev';
export const DEV_AUDIENCE = 'twinning-api';

export type AuthConfig =
  | {
      readonly mode: 'dev';
      readonly secret: string;
      /** True when no `AUTH_DEV_SECRET` was set and the public default is in use. */
      readonly usesDefaultSecret: boolean;
      readonly issuer: string;
      readonly audience: string;
    }
  | {
      readonly mode: 'oidc';
      readonly jwksUrl: URL;
      readonly issuer: string;
      readonly audience: string;
      /** The browser workspace's public client at the identity provider; without it, no web sign-in. */
      readonly web?: { readonly clientId: string; readonly scope: string };
    };

export const authEnvironmentSchema = z
  .object({
    AUTH_MODE: z.enum(['dev', 'oidc'], { error: 'must be dev or oidc' }).default('dev'),
    AUTH_DEV_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    AUTH_JWKS_URL: urlVariable(['https:', 'http:']).optional(),
    AUTH_ISSUER: z.string().min(1).optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
    AUTH_WEB_CLIENT_ID: z.string().min(1).optional(),
    AUTH_WEB_SCOPE: z.string().min(1).default('openid profile'),
  })
  .superRefine((env, context) => {
    if (env.AUTH_MODE === 'dev') return;
    for (const variable of ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const) {
      if (env[variable] === undefined) {
        context.addIssue({ code: 'custom', path: [variable], message: 'is required' });
      }
    }
    if (env.AUTH_DEV_SECRET !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['AUTH_DEV_SECRET'],
        message: 'is only used when AUTH_MODE=dev; remove it',
      });
    }
  });

/** Reads the `AUTH_*` variables; throws a `ConfigError` naming every bad one. */
export const loadAuthConfig = (env: Environment = process.env): AuthConfig => {
  const parsed = loadConfig(authEnvironmentSchema, env);
  switch (parsed.AUTH_MODE) {
    case 'dev':
      return {
        mode: 'dev',
        secret: parsed.AUTH_DEV_SECRET ?? DEFAULT_DEV_SECRET,
        usesDefaultSecret: parsed.AUTH_DEV_SECRET === undefined,
        issuer: parsed.AUTH_ISSUER ?? DEV_ISSUER,
        audience: parsed.AUTH_AUDIENCE ?? DEV_AUDIENCE,
      };
    case 'oidc': {
      const { AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE } = parsed;
      // The refinement above guarantees all three; this narrows the types.
      if (AUTH_JWKS_URL === undefined || AUTH_ISSUER === undefined || AUTH_AUDIENCE === undefined) {
        throw new Error('unreachable: oidc settings were validated');
      }
      return {
        mode: 'oidc',
        jwksUrl: AUTH_JWKS_URL,
        issuer: AUTH_ISSUER,
        audience: AUTH_AUDIENCE,
        ...(parsed.AUTH_WEB_CLIENT_ID === undefined
          ? {}
          : { web: { clientId: parsed.AUTH_WEB_CLIENT_ID, scope: parsed.AUTH_WEB_SCOPE } }),
      };
    }
    default: {
      const _exhaustive: never = parsed.AUTH_MODE;
      return _exhaustive;
    }
  }
};
