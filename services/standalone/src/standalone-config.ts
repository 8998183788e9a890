import { loadApiConfig, type ApiConfig } from '@twinning/api';
import type { Environment } from '@twinning/http-kit';

/**
 * Standalone mode is the API's configuration with embedded PGlite under `./data` as the default
 * store; every variable of the services it hosts applies (see docs/operations.md).
 */
export type StandaloneConfig = ApiConfig;

export const loadStandaloneConfig = (env: Environment = process.env): StandaloneConfig =>
  loadApiConfig(env);
