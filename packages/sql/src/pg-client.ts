import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  assertChannelName,
  copyStatement,
  type CopyRows,
  normaliseParams,
  type NotificationListener,
  type SqlClient,
  type SqlParam,
  type SqlQueryable,
  type SqlResult,
  type SqlSession,
  type SqlTransaction,
} from './sql-client.js';
import { SqlError } from './sql-error.js';

export interface PgClientOptions {
  readonly connectionString: string;
  /** Pool size; default 10. One more connection is opened for LISTEN when first needed. */
  readonly max?: number;
  /** Application name shown in pg_stat_activity. */
  readonly applicationName?: string;
}

type PgQueryTarget = Pick<pg.PoolClient, 'query'>;

const queryOn = async <Row>(
  target: PgQueryTarget,
  text: string,
  params: readonly SqlParam[] | undefined,
): Promise<SqlResult<Row>> => {
  try {
    const result = await target.query({ text, values: normaliseParams(params) });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  } catch (error) {
    throw SqlError.from(error);
  }
};

const execOn = async (target: PgQueryTarget, script: string): Promise<void> => {
  try {
    // Without values node-postgres uses the simple protocol, which accepts several statements.
    await target.query(script);
  } catch (error) {
    throw SqlError.from(error);
  }
};

const copyOn = async (
  connection: pg.PoolClient,
  table: string,
  rows: CopyRows,
): Promise<number> => {
  if (rows.count === 0) return 0;
  try {
    const copy = connection.query(copyFrom(copyStatement(table, rows, 'STDIN')));
    await pipeline(Readable.from([rows.text]), copy);
    return copy.rowCount;
  } catch (error) {
    throw SqlError.from(error);
  }
};

const queryableOn = (connection: pg.PoolClient): SqlQueryable => ({
  query: <Row>(text: string, params?: readonly SqlParam[]) =>
    queryOn<Row>(connection, text, params),
  exec: (script: string) => execOn(connection, script),
  copyRows: (table, rows) => copyOn(connection, table, rows),
});

const transactionOn = async <T>(
  connection: pg.PoolClient,
  fn: (tx: SqlTransaction) => Promise<T>,
): Promise<T> => {
  await execOn(connection, 'BEGIN');
  let result: T;
  try {
    result = await fn(queryableOn(connection));
  } catch (error) {
    await execOn(connection, 'ROLLBACK').catch(() => undefined);
    throw error;
  }
  await execOn(connection, 'COMMIT');
  return result;
};

/** Whether a checked-out connection may go back to the pool after this error. */
const releaseError = (error: unknown): Error | undefined =>
  error instanceof SqlError && error.connectionLost ? error : undefined;

const quoteIdentifier = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

/** The listeners of one channel, and the LISTEN that started it. */
interface Channel {
  readonly listeners: Set<NotificationListener>;
  readonly listening: Promise<void>;
}

/**
 * One connection shared by every LISTEN of a client. It reconnects with backoff after a failure
 * and listens again on every channel. Its statements run one after the other: a connection takes
 * one query at a time.
 */
class PgNotificationListener {
  private readonly channels = new Map<string, Channel>();
  private statements: Promise<void> = Promise.resolve();
  private connection: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 100;
  private closed = false;

  constructor(private readonly config: pg.ClientConfig) {}

  async add(channel: string, onNotify: NotificationListener): Promise<() => Promise<void>> {
    const connection = await this.connect();
    let entry = this.channels.get(channel);
    if (entry === undefined) {
      entry = {
        listeners: new Set(),
        listening: this.exec(connection, `LISTEN ${quoteIdentifier(channel)}`),
      };
      this.channels.set(channel, entry);
    }
    // Listening only once the LISTEN has run, whoever asked for it first.
    try {
      await entry.listening;
    } catch (error) {
      if (this.channels.get(channel) === entry) this.channels.delete(channel);
      throw error;
    }
    entry.listeners.add(onNotify);
    return async () => {
      const current = this.channels.get(channel);
      if (current === undefined || !current.listeners.delete(onNotify)) return;
      if (current.listeners.size > 0) return;
      this.channels.delete(channel);
      if (this.connection !== undefined) {
        await this.exec(this.connection, `UNLISTEN ${quoteIdentifier(channel)}`).catch(
          () => undefined,
        );
      }
    };
  }

  /** Runs a statement on the shared connection once the ones before it have run. */
  private exec(connection: pg.Client, statement: string): Promise<void> {
    const run = this.statements.then(() => execOn(connection, statement));
    this.statements = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.channels.clear();
    const connection = this.connection ?? (await this.connecting?.catch(() => undefined));
    this.connection = undefined;
    await connection?.end().catch(() => undefined);
  }

  private connect(): Promise<pg.Client> {
    if (this.closed)
      return Promise.reject(new SqlError('client is closed', { connectionLost: true }));
    if (this.connection !== undefined) return Promise.resolve(this.connection);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const connection = new pg.Client(this.config);
    connection.on('notification', (message) => {
      for (const listener of this.channels.get(message.channel)?.listeners ?? []) {
        listener(message.payload ?? '');
      }
    });
    connection.on('error', () => this.lost(connection));
    connection.on('end', () => this.lost(connection));
    try {
      await connection.connect();
      for (const channel of this.channels.keys()) {
        await execOn(connection, `LISTEN ${quoteIdentifier(channel)}`);
      }
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw SqlError.from(error);
    }
    if (this.closed) {
      await connection.end().catch(() => undefined);
      throw new SqlError('client is closed', { connectionLost: true });
    }
    this.connection = connection;
    this.reconnectDelayMs = 100;
    return connection;
  }

  private lost(connection: pg.Client): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    connection.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.channels.size === 0 || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => {
        this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 5_000);
        this.scheduleReconnect();
      });
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
  }
}

/** A client over a node-postgres pool. Opens no connection until first used. */
export const createPgClient = (options: PgClientOptions): SqlClient => {
  const config: pg.ClientConfig = {
    connectionString: options.connectionString,
    application_name: options.applicationName ?? 'twinning',
  };
  const pool = new pg.Pool({ ...config, max: options.max ?? 10 });
  // An idle connection that dies (server restart, terminated backend) is dropped by the pool;
  // without a listener that error would crash the process.
  pool.on('error', () => undefined);
  const listener = new PgNotificationListener(config);

  const guarded = new WeakSet<pg.PoolClient>();
  const checkout = async (): Promise<pg.PoolClient> => {
    let connection: pg.PoolClient;
    try {
      connection = await pool.connect();
    } catch (error) {
      throw SqlError.from(error);
    }
    // A checked-out connection that dies between statements emits 'error' on itself; the next
    // statement reports it, so the event only needs a listener to not crash the process.
    if (!guarded.has(connection)) {
      guarded.add(connection);
      connection.on('error', () => undefined);
    }
    return connection;
  };

  const onConnection = async <T>(fn: (connection: pg.PoolClient) => Promise<T>): Promise<T> => {
    const connection = await checkout();
    try {
      const result = await fn(connection);
      connection.release();
      return result;
    } catch (error) {
      connection.release(releaseError(error));
      throw error;
    }
  };

  return {
    dialect: 'postgres',
    query: <Row>(text: string, params?: readonly SqlParam[]) => queryOn<Row>(pool, text, params),
    exec: (script) => execOn(pool, script),
    copyRows: (table, rows) => onConnection((connection) => copyOn(connection, table, rows)),
    transaction: (fn) => onConnection((connection) => transactionOn(connection, fn)),
    listen: async (channel, onNotify) => {
      assertChannelName(channel);
      return listener.add(channel, onNotify);
    },
    withSession: async (fn) => {
      const connection = await checkout();
      const session: SqlSession = {
        ...queryableOn(connection),
        transaction: (inner) => transactionOn(connection, inner),
      };
      try {
        return await fn(session);
      } finally {
        // Session state (advisory locks above all) must not leak to the next borrower.
        connection.release(true);
      }
    },
    close: async () => {
      await listener.close();
      await pool.end();
    },
  };
};
