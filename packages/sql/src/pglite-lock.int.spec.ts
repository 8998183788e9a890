import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PGLITE_LOCK_FILE, createPGliteClient } from './pglite-client.js';
import { SqlError } from './sql-error.js';

/** PGlite has no lock of its own: two processes on one data directory would corrupt it. */
describe('one process at a time on an embedded data directory', () => {
  let parent: string;
  let dataDir: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'twinning-pglite-lock-'));
    dataDir = join(parent, 'pglite');
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  const lockFile = () => join(dataDir, PGLITE_LOCK_FILE);

  it('names this process in the directory while open, and clears it on close', async () => {
    const client = await createPGliteClient({ dataDir });
    expect((await readFile(lockFile(), 'utf8')).trim()).toBe(String(process.pid));
    await client.close();
    expect(existsSync(lockFile())).toBe(false);
    // And opens again afterwards, with the data kept.
    const again = await createPGliteClient({ dataDir });
    await again.close();
  });

  it('refuses a directory another running process has open, saying which', async () => {
    const client = await createPGliteClient({ dataDir });
    await client.close();
    // The parent of this test process is running, so its pid stands for another projector.
    await writeFile(lockFile(), `${process.ppid}\n`);
    const refused = await createPGliteClient({ dataDir }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SqlError);
    expect((refused as SqlError).message).toBe(
      `the embedded database in ${dataDir} is in use by process ${process.ppid}: stop it, or give this process another DATA_DIR`,
    );
    expect((await readFile(lockFile(), 'utf8')).trim()).toBe(String(process.ppid));
  });

  it('takes over a lock left by a process that has gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    expect(gone).toBeGreaterThan(0);
    await createPGliteClient({ dataDir }).then((client) => client.close());
    await writeFile(lockFile(), `${String(gone)}\n`);
    const client = await createPGliteClient({ dataDir });
    expect((await readFile(lockFile(), 'utf8')).trim()).toBe(String(process.pid));
    await client.close();
  });

  it('says which directory it could not use, instead of an opaque error', async () => {
    const file = join(parent, 'a-file');
    await writeFile(file, 'not a directory');
    const refused = await createPGliteClient({ dataDir: file }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SqlError);
    expect((refused as SqlError).message).toContain(file);
    expect((refused as SqlError).message).not.toContain('[object Object]');
  });
});
