import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import {
  assertChannelName,
  copyStatement,
  normaliseParams,
  type SqlClient,
  type SqlParam,
  type SqlQueryable,
  type SqlResult,
  type SqlSession,
} from './sql-client.js';
import { SqlError } from './sql-error.js';

export interface PGliteClientOptions {
  /** Directory of the database files; `undefined` keeps the database in memory. */
  readonly dataDir?: string | undefined;
}

type PGliteQueryTarget = Pick<Transaction, 'query' | 'exec'>;

const queryOn = async <Row>(
  target: PGliteQueryTarget,
  text: string,
  params: readonly SqlParam[] | undefined,
): Promise<SqlResult<Row>> => {
  try {
    const result = await target.query<Row>(text, normaliseParams(params));
    return {
      rows: result.rows,
      rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
    };
  } catch (error) {
    throw SqlError.from(error);
  }
};

const execOn = async (target: PGliteQueryTarget, script: string): Promise<void> => {
  try {
    await target.exec(script);
  } catch (error) {
    throw SqlError.from(error);
  }
};

const queryableOn = (target: PGliteQueryTarget): SqlQueryable => ({
  query: <Row>(text: string, params?: readonly SqlParam[]) => queryOn<Row>(target, text, params),
  exec: (script: string) => execOn(target, script),
  // PGlite reads COPY data from a blob it names /dev/blob.
  copyRows: async (table, rows) => {
    if (rows.count === 0) return 0;
    try {
      const result = await target.query(copyStatement(table, rows, `'/dev/blob'`), [], {
        blob: new Blob([rows.text]),
      });
      return result.affectedRows ?? rows.count;
    } catch (error) {
      throw SqlError.from(error);
    }
  },
});

/** The file in a data directory naming the process that has it open. */
export const PGLITE_LOCK_FILE = 'twinning.pid';

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const describeFailure = (error: unknown): string => {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const { name, errno, message } = error as Record<string, unknown>;
    if (typeof message === 'string') return message;
    const parts = [
      typeof name === 'string' ? name : 'error',
      typeof errno === 'number' ? `errno ${errno}` : '',
    ];
    return parts.join(' ').trim();
  }
  return String(error);
};

/**
 * PGlite opens its files without any lock, and two processes writing one data directory corrupt
 * it: the first process to open a directory writes its pid into it, and another is refused while
 * that process runs. A lock left by a process that has gone is taken over.
 */
const lockDataDir = async (dataDir: string): Promise<() => Promise<void>> => {
  const lockPath = join(dataDir, PGLITE_LOCK_FILE);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new SqlError(
      `cannot use ${dataDir} as the embedded database's directory: ${describeFailure(error)}`,
      { connectionLost: false, cause: error },
    );
  }
  for (;;) {
    try {
      await writeFile(lockPath, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
      throw new SqlError(
        `the embedded database in ${dataDir} is in use by process ${holder}: stop it, or give this process another DATA_DIR`,
        { connectionLost: false },
      );
    }
    await rm(lockPath, { force: true });
  }
};

/**
 * A client over an embedded PGlite database. PGlite has a single connection: it runs one
 * transaction at a time and queues other statements until the transaction ends, so a
 * transaction callback must only use its `tx`.
 */
export const createPGliteClient = async (options: PGliteClientOptions = {}): Promise<SqlClient> => {
  const unlock =
    options.dataDir === undefined ? () => Promise.resolve() : await lockDataDir(options.dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      // node-postgres returns int8 and numeric as strings; match it so callers see one shape.
      parsers: {
        [types.INT8]: (value: string) => value,
        [types.NUMERIC]: (value: string) => value,
      },
    });
  } catch (error) {
    await unlock();
    throw new SqlError(
      `cannot open the embedded database${options.dataDir === undefined ? '' : ` in ${options.dataDir}`}: ${describeFailure(error)}`,
      { connectionLost: false, cause: error },
    );
  }

  const transaction = async <T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> => {
    try {
      return await db.transaction((tx) => fn(queryableOn(tx)));
    } catch (error) {
      // Errors of the callback's own making (domain errors) pass through untouched.
      if (error instanceof Error && !('severity' in error)) throw error;
      throw SqlError.from(error);
    }
  };

  const client: SqlClient = {
    dialect: 'pglite',
    ...queryableOn(db),
    transaction,
    listen: async (channel, onNotify) => {
      assertChannelName(channel);
      try {
        const unlisten = await db.listen(channel, onNotify);
        return async () => {
          if (!db.closed) await unlisten();
        };
      } catch (error) {
        throw SqlError.from(error);
      }
    },
    withSession: (fn) => {
      const session: SqlSession = { ...queryableOn(db), transaction };
      return fn(session);
    },
    close: async () => {
      if (db.closed) return;
      await db.close();
      await unlock();
    },
  };
  return client;
};
