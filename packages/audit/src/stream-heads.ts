import type { SqlQueryable } from '@twinning/sql';
import type { StreamHead } from './chain-verification.js';

/** The store's own record of where each stream ends (the PostgreSQL adapter keeps one). */
export interface StreamHeads {
  headOf(streamId: string): Promise<StreamHead | undefined>;
  all(): Promise<StreamHead[]>;
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,50}$/;

/** Reads `<schema>.streams` of the PostgreSQL event store. */
export const createPostgresStreamHeads = (
  sql: SqlQueryable,
  schema = 'event_store',
): StreamHeads => {
  if (!schemaPattern.test(schema)) throw new TypeError(`Invalid schema ${JSON.stringify(schema)}`);
  const select = `SELECT stream_id, revision::text AS revision, last_hash FROM "${schema}".streams`;
  type Row = { stream_id: string; revision: string; last_hash: string };
  const toHead = (row: Row): StreamHead => ({
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    hash: row.last_hash,
  });
  return {
    async headOf(streamId) {
      const { rows } = await sql.query<Row>(`${select} WHERE stream_id = $1`, [streamId]);
      return rows[0] === undefined ? undefined : toHead(rows[0]);
    },
    async all() {
      const { rows } = await sql.query<Row>(select);
      return rows.map(toHead);
    },
  };
};
