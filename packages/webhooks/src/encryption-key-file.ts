import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generateEncryptionKey, parseEncryptionKey } from './secret-encryption.js';

export const ENCRYPTION_KEY_FILE_NAME = 'webhook-encryption.key';

const isMissing = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';

/**
 * The key used when `WEBHOOK_ENCRYPTION_KEY` is not set in standalone mode: generated on first
 * start and kept beside the embedded database, readable by its owner only. Losing the file makes
 * stored secrets unreadable, as losing the database would.
 */
export const loadOrCreateEncryptionKey = async (dataDir: string): Promise<Buffer> => {
  const path = join(dataDir, ENCRYPTION_KEY_FILE_NAME);
  try {
    return parseEncryptionKey(await readFile(path, 'utf8'));
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const key = generateEncryptionKey();
  await mkdir(dirname(path), { recursive: true });
  try {
    // `wx` so that two processes starting together keep the first key, never overwrite it.
    await writeFile(path, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST') {
      return parseEncryptionKey(await readFile(path, 'utf8'));
    }
    throw error;
  }
};
