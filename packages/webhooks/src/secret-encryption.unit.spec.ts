import { describe, expect, it } from 'vitest';
import {
  createSecretCipher,
  generateEncryptionKey,
  parseEncryptionKey,
  SecretEncryptionError,
} from './secret-encryption.js';

describe('signing secrets at rest', () => {
  const cipher = createSecretCipher(generateEncryptionKey());
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('are sealed so the stored text does not reveal them, and open again', () => {
    const sealed = cipher.seal(secret, 'endpoint-1');
    expect(sealed).not.toContain('MfKQ9r8G');
    expect(sealed).not.toBe(cipher.seal(secret, 'endpoint-1'));
    expect(cipher.open(sealed, 'endpoint-1')).toBe(secret);
  });

  it('do not open for another endpoint, with another key, or when altered', () => {
    const sealed = cipher.seal(secret, 'endpoint-1');
    expect(() => cipher.open(sealed, 'endpoint-2')).toThrow(SecretEncryptionError);
    expect(() => createSecretCipher(generateEncryptionKey()).open(sealed, 'endpoint-1')).toThrow(
      SecretEncryptionError,
    );
    const [format, iv, tag, data] = sealed.split(':');
    const flipped = Buffer.from(data!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() =>
      cipher.open([format, iv, tag, flipped.toString('base64')].join(':'), 'endpoint-1'),
    ).toThrow(SecretEncryptionError);
    expect(() => cipher.open('garbage', 'endpoint-1')).toThrow(SecretEncryptionError);
  });

  it('need a key of exactly 32 bytes in base64', () => {
    const key = generateEncryptionKey().toString('base64');
    expect(parseEncryptionKey(key)).toHaveLength(32);
    expect(() => parseEncryptionKey(Buffer.alloc(16).toString('base64'))).toThrow(
      SecretEncryptionError,
    );
    expect(() => parseEncryptionKey('not a key')).toThrow(SecretEncryptionError);
  });
});
