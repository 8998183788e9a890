import { userInfo } from 'node:os';
import { ConfigError, loadConfig } from '@twinning/http-kit';
import { createProjectionControl } from '@twinning/projections';
import { openStorage, storageEnvironmentSchema, storageLocationsOf } from '@twinning/storage';
import { runProjectionsCli } from './projections-cli.js';

/** `pnpm projections <command>`: see PROJECTIONS_CLI_USAGE. */
const main = async (): Promise<number> => {
  const storage = await openStorage(storageLocationsOf(loadConfig(storageEnvironmentSchema)));
  try {
    return await runProjectionsCli(process.argv.slice(2), {
      control: await createProjectionControl(storage.sql),
      store: storage.store,
      out: process.stdout,
      err: process.stderr,
      user: `cli:${userInfo().username}`,
    });
  } finally {
    await storage.close();
  }
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `projections: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
