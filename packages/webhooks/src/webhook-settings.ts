import {
  booleanVariable,
  ConfigError,
  durationVariable,
  loadConfig,
  type Environment,
} from '@twinning/http-kit';
import { z } from 'zod';
import type { EndpointAddressPolicy } from './endpoint-address-policy.js';
import { loadOrCreateEncryptionKey } from './encryption-key-file.js';
import { parseEncryptionKey, SecretEncryptionError } from './secret-encryption.js';

/** What both the admin API and the dispatcher read: secrets' key, address rules, rotation. */
export const webhookEnvironmentSchema = z.object({
  WEBHOOK_ENCRYPTION_KEY: z.string().optional(),
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((host) => host.trim())
        .filter((host) => host !== ''),
    )
    .optional(),
  WEBHOOK_ALLOW_HTTP: booleanVariable().default(false),
  WEBHOOK_SECRET_GRACE_PERIOD: durationVariable().default(24 * 60 * 60 * 1000),
});

export interface WebhookSettings {
  /** AES-256-GCM key sealing signing secrets at rest. */
  readonly encryptionKey: Buffer;
  readonly addressPolicy: EndpointAddressPolicy;
  /** How long a rotated-out secret keeps signing beside the new one. */
  readonly secretGracePeriodMs: number;
}

export interface LoadWebhookSettingsOptions {
  /**
   * Standalone mode: where to generate and keep a key when `WEBHOOK_ENCRYPTION_KEY` is unset.
   * Without it the variable is required.
   */
  readonly generatedKeyDirectory?: string;
}

export const loadWebhookSettings = async (
  env: Environment = process.env,
  options: LoadWebhookSettingsOptions = {},
): Promise<WebhookSettings> => {
  const parsed = loadConfig(webhookEnvironmentSchema, env);
  let encryptionKey: Buffer;
  if (parsed.WEBHOOK_ENCRYPTION_KEY !== undefined) {
    try {
      encryptionKey = parseEncryptionKey(parsed.WEBHOOK_ENCRYPTION_KEY);
    } catch (error) {
      if (!(error instanceof SecretEncryptionError)) throw error;
      throw new ConfigError([{ variable: 'WEBHOOK_ENCRYPTION_KEY', message: error.message }]);
    }
  } else if (options.generatedKeyDirectory !== undefined) {
    encryptionKey = await loadOrCreateEncryptionKey(options.generatedKeyDirectory);
  } else {
    throw new ConfigError([
      {
        variable: 'WEBHOOK_ENCRYPTION_KEY',
        message: 'is required but not set (base64 of 32 random bytes: `openssl rand -base64 32`)',
      },
    ]);
  }
  return {
    encryptionKey,
    addressPolicy: {
      allowHttp: parsed.WEBHOOK_ALLOW_HTTP,
      allowedHosts: parsed.WEBHOOK_ALLOWED_HOSTS ?? [],
    },
    secretGracePeriodMs: parsed.WEBHOOK_SECRET_GRACE_PERIOD,
  };
};
