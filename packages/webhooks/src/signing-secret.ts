import { randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const GENERATED_SECRET_BYTES = 32;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/** A string that is not a Standard Webhooks signing secret (`whsec_` + base64 of 24–64 bytes). */
export class InvalidSigningSecretError extends Error {
  override readonly name = 'InvalidSigningSecretError';
}

/** A new secret in Standard Webhooks form, from the operating system's random source. */
export const generateSigningSecret = (): string =>
  `${SECRET_PREFIX}${randomBytes(GENERATED_SECRET_BYTES).toString('base64')}`;

/** The HMAC key a secret stands for: the bytes its base64 part decodes to. */
export const signingKeyOf = (secret: string): Buffer => {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new InvalidSigningSecretError(`A signing secret starts with ${SECRET_PREFIX}`);
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length % 4 !== 0 || !BASE64_PATTERN.test(encoded)) {
    throw new InvalidSigningSecretError('A signing secret is base64 after its prefix');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new InvalidSigningSecretError(
      `A signing secret holds ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes (got ${key.length})`,
    );
  }
  return key;
};
