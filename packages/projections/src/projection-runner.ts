import type { EventStore } from '@twinning/event-store';
import type { SqlClient } from '@twinning/sql';
import { AdvisoryLockSession } from './advisory-lock-session.js';
import { PROJECTION_REQUESTS_CHANNEL, ensureProjectionTables } from './control-tables.js';
import { LogHead } from './log-head.js';
import { assertValidProjections, type Projection, type Reactor } from './projection.js';
import { ProjectionSupervisor } from './projection-supervisor.js';
import {
  silentLogger,
  type ProjectionStatus,
  type RunnerLogger,
  type RunnerObserver,
} from './runner-types.js';

export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  /** Where read models, checkpoints and requests live. */
  readonly sql: SqlClient;
  readonly projections: readonly Projection[];
  readonly reactors?: readonly Reactor[];
  readonly logger?: RunnerLogger;
  readonly observer?: RunnerObserver;
  /** System time, for lag; tests pin it. */
  readonly now?: () => Date;
  /** Most events per transaction; 4,000 by default. */
  readonly batchSize?: number;
  /** Longest a started batch waits for more events; 50 ms by default. */
  readonly batchWaitMs?: number;
  /** How often a standby process tries to take a projection over; 3 s by default. */
  readonly lockRetryMs?: number;
  /** Fallback poll for admin requests when a notification is lost; 2 s by default. */
  readonly pollMs?: number;
  /** How often lag is measured; 5 s by default. */
  readonly lagIntervalMs?: number;
}

export interface ProjectionRunner {
  /** Creates the shared tables, then starts every projection in the background. */
  start(): Promise<void>;
  /** Finishes the batches in flight, stops, and releases every lock. */
  stop(): Promise<void>;
  status(): readonly ProjectionStatus[];
}

const positiveInteger = (value: number, what: string): number => {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${what} must be a positive integer (got ${value})`);
  }
  return value;
};

/**
 * Hosts projections and reactors in this process. Each projection is held by one process at a
 * time through a session-level advisory lock; the others stand by and take over within
 * `lockRetryMs` once the holder's connection closes.
 */
export const createProjectionRunner = (options: ProjectionRunnerOptions): ProjectionRunner => {
  const reactors = options.reactors ?? [];
  const hosted = [
    ...options.projections.map((projection) => ({ projection, reactor: undefined })),
    ...reactors.map((reactor) => ({ projection: reactor.projection, reactor })),
  ];
  assertValidProjections(hosted.map((entry) => entry.projection));
  const logger = options.logger ?? silentLogger;
  const lockRetryMs = positiveInteger(options.lockRetryMs ?? 3_000, 'lockRetryMs');
  const pollMs = positiveInteger(options.pollMs ?? 2_000, 'pollMs');
  const lagIntervalMs = positiveInteger(options.lagIntervalMs ?? 5_000, 'lagIntervalMs');
  const batching = {
    maxEvents: positiveInteger(options.batchSize ?? 4000, 'batchSize'),
    maxWaitMs: positiveInteger(options.batchWaitMs ?? 50, 'batchWaitMs'),
  };
  const head = new LogHead(options.store);
  const supervisors: ProjectionSupervisor[] = [];
  const locks = new AdvisoryLockSession(options.sql, (keys) => {
    for (const supervisor of supervisors) {
      if (keys.some((key) => key.startsWith(`${supervisor.name}:`))) supervisor.lockLost();
    }
  });
  for (const { projection, reactor } of hosted) {
    supervisors.push(
      new ProjectionSupervisor({
        sql: options.sql,
        store: options.store,
        projection,
        reactor,
        locks,
        head,
        batching,
        lockRetryMs,
        pollMs,
        logger,
        observer: options.observer ?? {},
        now: options.now ?? (() => new Date()),
      }),
    );
  }

  let started = false;
  let stopListening: (() => Promise<void>) | undefined;
  const timers: NodeJS.Timeout[] = [];

  const measureLag = async (): Promise<void> => {
    await head.refresh();
    for (const supervisor of supervisors) await supervisor.sampleLag();
  };

  return {
    async start() {
      if (started) return;
      started = true;
      await ensureProjectionTables(options.sql);
      stopListening = await options.sql
        .listen(PROJECTION_REQUESTS_CHANNEL, (payload) => {
          for (const supervisor of supervisors) {
            if (payload === '' || payload === supervisor.name) supervisor.wake();
          }
        })
        .catch((error: unknown) => {
          logger.warn(
            { err: String(error) },
            'cannot listen for admin requests; polling for them instead',
          );
          return undefined;
        });
      for (const supervisor of supervisors) supervisor.start();
      timers.push(
        setInterval(() => {
          locks.heartbeat().catch(() => undefined);
        }, lockRetryMs),
        setInterval(() => {
          measureLag().catch((error: unknown) =>
            logger.debug({ err: String(error) }, 'lag measurement failed'),
          );
        }, lagIntervalMs),
      );
      for (const timer of timers) timer.unref();
      void measureLag().catch(() => undefined);
    },
    async stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await stopListening?.().catch(() => undefined);
      await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
      await locks.close();
    },
    status: () => supervisors.map((supervisor) => supervisor.status()),
  };
};
