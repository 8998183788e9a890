import type { EventFilter, RecordedEvent } from '@twinning/event-store';
import type { SqlClient, SqlQueryable, SqlTransaction } from '@twinning/sql';

/**
 * A read model built from the event log. Each build of a projection owns a PostgreSQL schema of
 * its own (`rm_<name>_v<version>`, later rebuilds of the same version `…_b<build>`): raising the
 * version (or asking for a rebuild) builds new tables from the start of the log while the old ones
 * keep serving, then switches the stable views in schema `read` over to the new tables in one
 * transaction. Queries only ever read `read.<table>`.
 */
export interface Projection<Prepared = unknown> {
  /** Lower-case identifier, e.g. `agreements` (letters, digits, `_`; at most 30 characters). */
  readonly name: string;
  /** Raise it when the tables or the way events are applied change: that triggers a rebuild. */
  readonly version: number;
  /** Tables the projection creates in its schema; each is exposed as a view `read.<table>`. */
  readonly tables: readonly string[];
  /** Only these events are delivered to `apply` (checkpoints still advance past the others). */
  readonly filter?: EventFilter;
  /** Creates the tables (and indexes) in `schema`, which exists and is empty. */
  setup(tx: SqlTransaction, schema: string): Promise<void>;
  /**
   * Applies one event, inside the transaction that also moves the checkpoint past it. Must be
   * deterministic: a rebuild applies the same events again and must reach the same rows.
   * Throwing parks the event and stops the projection (it is never skipped silently).
   */
  apply(tx: SqlTransaction, event: RecordedEvent, schema: string): Promise<void>;
  /**
   * Applies whole batches in two steps, so that the runner can work out the next batch in
   * memory while the last one is still being written (optional). Applying each batch this way
   * must leave exactly the rows that calling `apply` for each event in turn would. When either
   * step throws, the runner rolls the batch back and applies it again one event at a time, so
   * the event to blame is the one parked.
   */
  readonly batches?: BatchSteps<Prepared>;
}

/**
 * The two steps of applying a batch. `prepare` reads the rows it needs through `reader` (outside
 * the batch's transaction) and works out the writes; `write` performs them inside the
 * transaction that moves the checkpoint. Every batch before `previous` has been committed when
 * `prepare` runs, but `previous` (the batch prepared last) may still be being written: whatever
 * it touches, `prepare` takes from `previous` rather than from the tables.
 */
export interface BatchSteps<Prepared> {
  prepare(
    reader: SqlQueryable,
    events: readonly RecordedEvent[],
    schema: string,
    previous: Prepared | undefined,
  ): Promise<Prepared>;
  write(tx: SqlTransaction, prepared: Prepared, schema: string): Promise<void>;
}

export interface ReactorContext {
  readonly sql: SqlClient;
  /** Schema of the serving build of the reactor's projection: the state to act on. */
  readonly schema: string;
  /** Aborted when the runner stops or loses the projection to another process. */
  readonly signal: AbortSignal;
}

/**
 * Acts on the world (issues commands) from state kept by its own projection. It runs on the
 * runner beside the read models and only where that projection is active, so one process acts at
 * a time; `react` must still be idempotent, because a process can lose its lock mid-action.
 */
export interface Reactor {
  /** The state the reactor acts on, built and checkpointed like any read model. */
  readonly projection: Projection;
  /** How often `react` runs once the projection has caught up. */
  readonly intervalMs: number;
  react(context: ReactorContext): Promise<void>;
}

/** Schema holding the tables of one build of one version of a projection. */
export const projectionSchemaOf = (
  projection: Pick<Projection, 'name' | 'version'>,
  build = 1,
): string =>
  build === 1
    ? `rm_${projection.name}_v${projection.version}`
    : `rm_${projection.name}_v${projection.version}_b${build}`;

/**
 * Lets the event loop run what is waiting (the answer to a statement of the batch being written,
 * say) before going on. A long `prepare` calls it before every `PREPARE_SLICE`-th event, so that
 * writing one batch and preparing the next really overlap.
 */
export const letIoThrough = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/** Events a `prepare` handles between two calls of `letIoThrough`. */
export const PREPARE_SLICE = 250;

/**
 * The rows a batch starts from, by key: as the previous batch left them where it touched them
 * (it may still be being written), else as `read` finds them in the tables, asked once for all
 * the other keys. Keys without a row are absent.
 */
export const rowsBefore = async <Row>(
  keys: Iterable<string>,
  previous: ReadonlyMap<string, Row> | undefined,
  read: (keys: readonly string[]) => Promise<ReadonlyMap<string, Row>>,
): Promise<Map<string, Row>> => {
  const rows = new Map<string, Row>();
  const toRead = new Set<string>();
  for (const key of keys) {
    const known = previous?.get(key);
    if (known === undefined) toRead.add(key);
    else rows.set(key, known);
  }
  if (toRead.size > 0) {
    for (const [key, row] of await read([...toRead])) rows.set(key, row);
  }
  return rows;
};

/**
 * The rows a batch changed, by key, split by whether the tables held them before it (the keys
 * `rowsBefore` found): the new ones can be appended with COPY, only the others need an upsert.
 */
export const splitByPresence = <Row>(
  changed: Iterable<readonly [string, Row]>,
  present: ReadonlySet<string>,
): { readonly created: [string, Row][]; readonly updated: [string, Row][] } => {
  const created: [string, Row][] = [];
  const updated: [string, Row][] = [];
  for (const [key, row] of changed) (present.has(key) ? updated : created).push([key, row]);
  return { created, updated };
};

/** Schema of the stable views queries read. */
export const READ_SCHEMA = 'read';

const projectionNamePattern = /^[a-z][a-z0-9_]{0,29}$/;
const tableNamePattern = /^[a-z][a-z0-9_]{0,62}$/;

/** A projection whose definition cannot be hosted (bad identifiers, clashing tables). */
export class InvalidProjectionError extends Error {
  override readonly name = 'InvalidProjectionError';
}

/** Checks the identifiers that end up in SQL and that no two projections claim a view name. */
export const assertValidProjections = (projections: readonly Projection[]): void => {
  const names = new Set<string>();
  const tableOwners = new Map<string, string>();
  for (const projection of projections) {
    if (!projectionNamePattern.test(projection.name)) {
      throw new InvalidProjectionError(
        `projection name ${JSON.stringify(projection.name)}: use lower-case letters, digits and _ (at most 30)`,
      );
    }
    if (!Number.isSafeInteger(projection.version) || projection.version < 1) {
      throw new InvalidProjectionError(
        `projection ${projection.name}: version must be a positive integer`,
      );
    }
    if (names.has(projection.name)) {
      throw new InvalidProjectionError(`projection ${projection.name} is hosted twice`);
    }
    names.add(projection.name);
    if (projection.tables.length === 0) {
      throw new InvalidProjectionError(`projection ${projection.name} declares no tables`);
    }
    for (const table of projection.tables) {
      if (!tableNamePattern.test(table)) {
        throw new InvalidProjectionError(
          `projection ${projection.name}: table name ${JSON.stringify(table)} is not a plain identifier`,
        );
      }
      const owner = tableOwners.get(table);
      if (owner !== undefined) {
        throw new InvalidProjectionError(
          `projections ${owner} and ${projection.name} both declare table ${table} (views read.<table> must be unique)`,
        );
      }
      tableOwners.set(table, projection.name);
    }
  }
};
