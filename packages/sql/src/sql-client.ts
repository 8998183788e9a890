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

/**
 * A value for one column of a copied row: converted by the column's own input function, as a
 * parameter would be. Send `json`/`jsonb` as a string (`JSON.stringify(x)`).
 */
export type CopyValue = string | number | bigint | boolean | Date | null;

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
  /**
   * Appends rows to `table` (a quoted, schema-qualified name as it goes into SQL) with `COPY …
   * FROM STDIN`: the cheapest way PostgreSQL has to take many rows, with no statement to parse
   * per row and the rows written to the table in bulk. The rows come encoded by
   * `encodeCopyRows`, which can run ahead of the copy. Resolves to the number of rows copied.
   */
  copyRows(table: string, rows: CopyRows): Promise<number>;
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

const copyEscapes: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

const copySpecial = /[\\\n\r\t]/;
const copySpecials = /[\\\n\r\t]/g;

const copyField = (value: CopyValue): string => {
  if (typeof value === 'string') {
    return copySpecial.test(value)
      ? value.replace(copySpecials, (c) => copyEscapes[c] ?? c)
      : value;
  }
  if (value === null) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`cannot copy the number ${value}`);
  }
  return value.toString();
};

/** Rows encoded for `copyRows`: the columns they fill, and the rows in COPY's text format. */
export interface CopyRows {
  readonly columns: readonly string[];
  readonly text: string;
  readonly count: number;
}

/**
 * Encodes rows (one value per column, in `columns` order) in COPY's text format: tab-separated
 * fields, one line per row, `\N` for NULL and backslash escapes for the characters that would
 * end a field or a row.
 */
export const encodeCopyRows = (
  columns: readonly string[],
  rows: readonly (readonly CopyValue[])[],
): CopyRows => {
  for (const column of columns) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(column)) {
      throw new TypeError(`Invalid column name ${JSON.stringify(column)}`);
    }
  }
  let text = '';
  for (const row of rows) {
    if (row.length !== columns.length) {
      throw new RangeError(`a copied row has ${row.length} values for ${columns.length} columns`);
    }
    for (let index = 0; index < row.length; index += 1) {
      if (index > 0) text += '\t';
      text += copyField(row[index] ?? null);
    }
    text += '\n';
  }
  return { columns, text, count: rows.length };
};

/** The COPY statement `copyRows` runs, reading from `source`. */
export const copyStatement = (table: string, rows: CopyRows, source: string): string =>
  `COPY ${table} (${rows.columns.join(', ')}) FROM ${source}`;
