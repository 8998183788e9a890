import {
  createPostgresStreamHeads,
  createSqlInForceQuery,
  inForceProjection,
  type InForceQuery,
  type StreamHeads,
} from '@twinning/audit';
import { ConfigError, loadConfig } from '@twinning/http-kit';
import type { SqlClient } from '@twinning/sql';
import { openStorage, storageEnvironmentSchema, storageLocationsOf } from '@twinning/storage';
import { AUDIT_USAGE, AuditUsageError, parseAuditArguments } from './audit-arguments.js';
import { EXIT, runAuditCommand } from './audit-commands.js';

/** The in-force read model, once the projection has been built into `read`. */
const builtInForceQuery = async (sql: SqlClient): Promise<InForceQuery | undefined> => {
  const table = inForceProjection.tables[1];
  const { rows } = await sql.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS found`,
    [`read.${table ?? ''}`],
  );
  return rows[0]?.found === true ? createSqlInForceQuery(sql) : undefined;
};

const main = async (): Promise<number> => {
  let command;
  try {
    command = parseAuditArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof AuditUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${AUDIT_USAGE}\n`);
    return EXIT.usage;
  }
  if (command.kind === 'help' || command.kind === 'check-export') {
    return runAuditCommand(command, {
      store: undefined as never,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  }
  const locations = storageLocationsOf(loadConfig(storageEnvironmentSchema, process.env));
  const storage = await openStorage(locations);
  const stop = new AbortController();
  const onInterrupt = (): void => {
    if (stop.signal.aborted) process.exit(EXIT.interrupted);
    stop.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    // The stream heads live beside the events only when they are in PostgreSQL or PGlite.
    const streamHeads: StreamHeads | undefined =
      storage.eventsSql === undefined ? undefined : createPostgresStreamHeads(storage.eventsSql);
    const inForce = await builtInForceQuery(storage.sql);
    return await runAuditCommand(command, {
      store: storage.store,
      ...(streamHeads === undefined ? {} : { streamHeads }),
      ...(inForce === undefined ? {} : { inForce }),
      stdout: process.stdout,
      stderr: process.stderr,
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    await storage.close();
  }
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof ConfigError ? `${error.message}\n` : `audit failed: ${String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
