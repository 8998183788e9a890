import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'v1';

/** The encryption key is missing, malformed, or does not open a stored secret. */
export class SecretEncryptionError extends Error {
  override readonly name = 'SecretEncryptionError';
}

/** Reads `WEBHOOK_ENCRYPTION_KEY`: base64 of exactly 32 random bytes. */
export const parseEncryptionKey = (base64: string): Buffer => {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== base64.trim()) {
    throw new SecretEncryptionError(
      `The webhook encryption key must be base64 of ${KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  return key;
};

export const generateEncryptionKey = (): Buffer => randomBytes(KEY_BYTES);

/**
 * Seals signing secrets with AES-256-GCM before they reach the database. The endpoint id is
 * authenticated with each secret, so a sealed secret copied to another endpoint's row fails to
 * open rather than signing for the wrong endpoint.
 */
export interface SecretCipher {
  seal(secret: string, endpointId: string): string;
  open(sealed: string, endpointId: string): string;
}

export const createSecretCipher = (key: Uint8Array): SecretCipher => {
  if (key.length !== KEY_BYTES) {
    throw new SecretEncryptionError(`The webhook encryption key must be ${KEY_BYTES} bytes`);
  }
  return {
    seal(secret, endpointId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(endpointId, 'utf8'));
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return [FORMAT, iv, cipher.getAuthTag(), sealed]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
        .join(':');
    },
    open(sealed, endpointId) {
      const [format, iv, tag, data] = sealed.split(':');
      if (format !== FORMAT || iv === undefined || tag === undefined || data === undefined) {
        throw new SecretEncryptionError('A stored signing secret has an unknown format');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAAD(Buffer.from(endpointId, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([
          decipher.update(Buffer.from(data, 'base64')),
          decipher.final(),
        ]).toString('utf8');
      } catch (error) {
        throw new SecretEncryptionError(
          'A stored signing secret does not open with this key: was WEBHOOK_ENCRYPTION_KEY changed?',
          { cause: error },
        );
      }
    },
  };
};
