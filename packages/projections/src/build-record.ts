/** One build of one version of a projection, as its checkpoint row records it. */
export interface BuildRecord {
  readonly name: string;
  readonly version: number;
  readonly build: number;
  readonly schema: string;
  /** `building` catches up beside the serving build; `retired` builds are dropped. */
  readonly state: BuildState;
  readonly tables: readonly string[];
  /** The last position applied or skipped; `undefined` before the first event. */
  readonly position: bigint | undefined;
  readonly eventsApplied: bigint;
  readonly lastEventStoredAt: Date | undefined;
  readonly startedAt: Date;
  readonly caughtUpAt: Date | undefined;
  readonly servingSince: Date | undefined;
  readonly updatedAt: Date;
}

export type BuildState = 'building' | 'serving' | 'retired';

export interface BuildRow {
  name: string;
  version: number;
  build: number;
  schema_name: string;
  state: BuildState;
  tables: string[];
  position: string | null;
  events_applied: string;
  last_event_stored_at: Date | null;
  started_at: Date;
  caught_up_at: Date | null;
  serving_since: Date | null;
  updated_at: Date;
}

export const BUILD_COLUMNS =
  'name, version, build, schema_name, state, tables, position::text AS position, events_applied::text AS events_applied, last_event_stored_at, started_at, caught_up_at, serving_since, updated_at';

export const toBuildRecord = (row: BuildRow): BuildRecord => ({
  name: row.name,
  version: row.version,
  build: row.build,
  schema: row.schema_name,
  state: row.state,
  tables: row.tables,
  position: row.position === null ? undefined : BigInt(row.position),
  eventsApplied: BigInt(row.events_applied),
  lastEventStoredAt: row.last_event_stored_at ?? undefined,
  startedAt: row.started_at,
  caughtUpAt: row.caught_up_at ?? undefined,
  servingSince: row.serving_since ?? undefined,
  updatedAt: row.updated_at,
});
