import {
  loadConfig,
  logLevelVariable,
  portVariable,
  type Environment,
  type LogLevel,
} from '@twinning/http-kit';
import {
  storageEnvironmentSchema,
  storageLocationsOf,
  type StorageLocations,
} from '@twinning/storage';
import { webAssetsDirectory } from '@twinning/web/assets';
import { z } from 'zod';
import { loadAuthConfig, type AuthConfig } from './auth/index.js';

export const apiEnvironmentSchema = storageEnvironmentSchema.extend({
  PORT: portVariable().default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: logLevelVariable().default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
  /** The built browser workspace; by default the `@twinning/web` package's `dist`. */
  WEB_ASSETS_DIR: z.string().min(1).optional(),
});

export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  readonly storage: StorageLocations;
  readonly auth: AuthConfig;
  readonly webAssetsDirectory: string;
}

/** Reads and checks every variable at start; a `ConfigError` names each bad one. */
export const loadApiConfig = (env: Environment = process.env): ApiConfig => {
  const parsed = loadConfig(apiEnvironmentSchema, env);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    logLevel: parsed.LOG_LEVEL,
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    storage: storageLocationsOf(parsed),
    auth: loadAuthConfig(env),
    webAssetsDirectory: parsed.WEB_ASSETS_DIR ?? webAssetsDirectory,
  };
};
