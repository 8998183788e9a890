import {
  durationVariable,
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
import { z } from 'zod';

export const projectorEnvironmentSchema = storageEnvironmentSchema.extend({
  /** Serves /health and /metrics only. */
  PORT: portVariable().default(3001),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: logLevelVariable().default('info'),
  PROJECTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(4000),
  PROJECTION_BATCH_WAIT: durationVariable().default(50),
  PROJECTION_LOCK_RETRY: durationVariable().default(3_000),
  EXPIRY_CHECK_INTERVAL: durationVariable().default(60_000),
  /** Comma-separated projection names this process hosts; all when unset. */
  PROJECTOR_PROJECTIONS: z
    .string()
    .trim()
    .regex(
      /^[a-z][a-z0-9_]*(\s*,\s*[a-z][a-z0-9_]*)*$/,
      'must be projection names separated by commas',
    )
    .optional(),
});

export interface ProjectorConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly storage: StorageLocations;
  readonly batchSize: number;
  readonly batchWaitMs: number;
  readonly lockRetryMs: number;
  readonly expiryCheckIntervalMs: number;
  /** The projections this process hosts; `undefined` for all of them. */
  readonly projections: readonly string[] | undefined;
}

/** Reads and checks every variable at start; a `ConfigError` names each bad one. */
export const loadProjectorConfig = (env: Environment = process.env): ProjectorConfig => {
  const parsed = loadConfig(projectorEnvironmentSchema, env);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    logLevel: parsed.LOG_LEVEL,
    storage: storageLocationsOf(parsed),
    batchSize: parsed.PROJECTION_BATCH_SIZE,
    batchWaitMs: Math.max(1, parsed.PROJECTION_BATCH_WAIT),
    lockRetryMs: Math.max(1, parsed.PROJECTION_LOCK_RETRY),
    expiryCheckIntervalMs: Math.max(1, parsed.EXPIRY_CHECK_INTERVAL),
    projections: parsed.PROJECTOR_PROJECTIONS?.split(',').map((name) => name.trim()),
  };
};
