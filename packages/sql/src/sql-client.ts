/**
 * One small SQL interface over node-postgres (a PostgreSQL server) and PGlite (embedded
 * PostgreSQL in WASM), so read models, checkpoints and adapters write the same SQL for both.
 *
 * Value conventions, identical for both dialects:
 * - `bigint`/`int8` and `numeric` columns come back as decimal strings (a JS number cannot hold
 *   every int8); `bigint` parameters are sent as decimal strings.
 * - `json`/`jsonb` columns come back parsed; send JSON as a string (`JSON.stringify(x)`) with a
 *   `::jsonb` cast, because the two drivers encode object and array parameters differently.
 * - `timestamptz` columns come back as `Date`.
 */

/** A value bound to a `$n` placeholder. */
export type SqlParam =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | null
  | readonly (string | number | bigint | boolean | null)[];

export interface SqlResult<Row> {
  readonly rows: Row[];
  /** Rows returned by a query, or changed by an INSERT/UPDATE/DELETE. */
  readonly rowCount: number;
}

export interface SqlQueryable {
  /** One statement with `$1`-style parameters. */
  query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly SqlParam[],
  ): Promise<SqlResult<Row>>;
  /** A script of one or more statements without parameters (migrations, DDL). */
  exec(script: string): Promise<void>;
}

/** Statements inside one transaction: committed when the callback resolves, rolled back if it throws. */
export type SqlTransaction = SqlQueryable;

/**
 * One dedicated connection for the lifetime of the callback: what session-level state (advisory
 * locks, `SET`) needs. With PGlite every session is the single embedded connection, so a
 * session-level advisory lock taken in one session is re-entrant from another; that is safe
 * because only one process can own a PGlite data directory.
 */
export interface SqlSession extends SqlQueryable {
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}

export type SqlDialect = 'postgres' | 'pglite';

/** Called with the payload of each NOTIFY on the channel. */
export type NotificationListener = (payload: string) => void;

export interface SqlClient extends SqlQueryable {
  readonly dialect: SqlDialect;
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel (lower-case identifier). Resolves once listening; the returned function
   * stops it. Notifications sent while a connection is being re-established are lost, so
   * listeners pair this with a periodic poll.
   */
  listen(channel: string, onNotify: NotificationListener): Promise<() => Promise<void>>;
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const channelPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/** Channel names are interpolated into LISTEN, so only plain identifiers are accepted. */
export const assertChannelName = (channel: string): void => {
  if (!channelPattern.test(channel)) {
    throw new TypeError(
      `Invalid channel name ${JSON.stringify(channel)}: use lower-case letters, digits and _`,
    );
  }
};

/** Both drivers agree on strings; converting here keeps bigint handling identical. */
export const normaliseParams = (params: readonly SqlParam[] | undefined): unknown[] =>
  (params ?? []).map((param) => {
    if (typeof param === 'bigint') return param.toString();
    if (Array.isArray(param)) {
      return (param as readonly unknown[]).map((item) =>
        typeof item === 'bigint' ? item.toString() : item,
      );
    }
    return param;
  });
