import { SqlError, type SqlClient, type SqlSession } from '@twinning/sql';

/**
 * Session-level advisory locks on one dedicated connection. PostgreSQL releases them when that
 * connection closes, so a process that dies hands its projections over to the next process that
 * asks. Losing the connection loses every lock at once: `onLost` tells the owner to stop working.
 */
export class AdvisoryLockSession {
  private session: SqlSession | undefined;
  private opening: Promise<SqlSession> | undefined;
  private release: (() => void) | undefined;
  private readonly held = new Set<string>();
  private closed = false;

  constructor(
    private readonly sql: SqlClient,
    private readonly onLost: (keys: readonly string[]) => void,
  ) {}

  isHeld(key: string): boolean {
    return this.held.has(key);
  }

  /** True when this session holds the lock now (taken before or just now). */
  async tryLock(key: string): Promise<boolean> {
    if (this.held.has(key)) return true;
    const rows = await this.onSession((session) =>
      session.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [lockKeyOf(key)],
      ),
    );
    const locked = rows.rows[0]?.locked === true;
    if (locked) this.held.add(key);
    return locked;
  }

  async unlock(key: string): Promise<void> {
    if (!this.held.delete(key)) return;
    await this.onSession((session) =>
      session.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKeyOf(key)]),
    ).catch(() => undefined);
  }

  /** Checks that the connection (and so every lock on it) is still there. */
  async heartbeat(): Promise<void> {
    if (this.session === undefined) return;
    await this.onSession((session) => session.query('SELECT 1'));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const key of [...this.held]) await this.unlock(key);
    this.drop();
  }

  private async onSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    const session = await this.open();
    try {
      return await fn(session);
    } catch (error) {
      if (error instanceof SqlError && error.connectionLost) this.lose();
      throw error;
    }
  }

  private open(): Promise<SqlSession> {
    if (this.closed) {
      return Promise.reject(new SqlError('lock session is closed', { connectionLost: true }));
    }
    if (this.session !== undefined) return Promise.resolve(this.session);
    this.opening ??= new Promise<SqlSession>((resolve, reject) => {
      this.sql
        .withSession(
          (session) =>
            new Promise<void>((release) => {
              this.session = session;
              this.release = release;
              resolve(session);
            }),
        )
        .catch(reject);
    }).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private lose(): void {
    const lost = [...this.held];
    this.held.clear();
    this.drop();
    if (lost.length > 0) this.onLost(lost);
  }

  private drop(): void {
    this.session = undefined;
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}

const lockKeyOf = (key: string): string => `twinning.projection:${key}`;
