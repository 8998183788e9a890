import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import {
  assertChannelName,
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
});

/**
 * A client over an embedded PGlite database. PGlite has a single connection: it runs one
 * transaction at a time and queues other statements until the transaction ends, so a
 * transaction callback must only use its `tx`.
 */
export const createPGliteClient = async (options: PGliteClientOptions = {}): Promise<SqlClient> => {
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
    throw SqlError.from(error);
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
      if (!db.closed) await db.close();
    },
  };
  return client;
};
