/** Log lines of the runner; a pino logger fits. */
export interface RunnerLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: RunnerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * What this process does with a projection:
 * - `standby`: another process holds it (this one retries the lock);
 * - `active`: this process applies events to it;
 * - `superseded`: a build of a newer version serves, so this older code leaves it alone.
 */
export type ProjectionRole = 'starting' | 'standby' | 'active' | 'superseded' | 'stopped';

/** `failing`: a transient error (database unreachable); the build restarts after a pause. */
export type BuildPhase = 'catching_up' | 'live' | 'parked' | 'failing';

export interface BuildProgress {
  /** 0..1, by global position between the first event of the log and its head. */
  readonly ratio: number;
  readonly eventsPerSecond: number;
  /** Estimated from the rate since this run began; `undefined` until there is a rate. */
  readonly secondsLeft: number | undefined;
}

export interface BuildStatus {
  readonly build: number;
  readonly schema: string;
  readonly serving: boolean;
  readonly phase: BuildPhase;
  readonly position: bigint | undefined;
  readonly eventsApplied: bigint;
  readonly progress: BuildProgress;
  readonly parked?: { readonly position: bigint; readonly error: string };
}

export interface ProjectionLag {
  /** Events the projection will be given that it has not applied yet. */
  readonly events: number;
  /** False when `events` is extrapolated (the backlog was too long to count). */
  readonly exact: boolean;
  /** Age of the oldest event not yet applied; 0 when none is waiting. */
  readonly seconds: number;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly role: ProjectionRole;
  readonly builds: readonly BuildStatus[];
  /** Of the build that serves (or, before the first switch-over, the one being built). */
  readonly lag: ProjectionLag | undefined;
  /** True when a build has a parked event: the projection needs an operator. */
  readonly parked: boolean;
}

export interface RunnerObserver {
  eventsApplied?(projection: string, count: number): void;
}
