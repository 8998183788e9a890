import type { EventStore } from '@twinning/event-store';
import { ReadinessCheckFailed, type AppMetrics, type ReadinessDetails } from '@twinning/http-kit';
import {
  createProjectionRunner,
  type Projection,
  type ProjectionStatus,
  type Reactor,
  type RunnerLogger,
} from '@twinning/projections';
import type { SqlClient } from '@twinning/sql';
import { registerProjectionMetrics } from './projection-metrics.js';

export interface ProjectorOptions {
  readonly store: EventStore;
  readonly sql: SqlClient;
  readonly projections: readonly Projection[];
  readonly reactors?: readonly Reactor[];
  readonly logger?: RunnerLogger;
  /** System time (lag, reactors); tests pin it. */
  readonly now?: () => Date;
  /** Prometheus metrics of the app that serves `/metrics`. */
  readonly metrics?: AppMetrics;
  readonly batchSize?: number;
  readonly batchWaitMs?: number;
  readonly lockRetryMs?: number;
  readonly pollMs?: number;
  readonly lagIntervalMs?: number;
}

/** A projection that needs an operator: an event of it is parked. */
export class ProjectionParkedError extends ReadinessCheckFailed {
  override readonly name = 'ProjectionParkedError';
}

export interface ProjectorHandle {
  status(): readonly ProjectionStatus[];
  /**
   * Resolves when no hosted projection has a parked event (whichever process runs it: the check
   * reads the shared tables), throws `ProjectionParkedError` otherwise.
   */
  checkReadiness(): Promise<ReadinessDetails>;
  /** Finishes the batches in flight, releases the locks, stops. The store and client stay open. */
  stop(): Promise<void>;
}

/**
 * The projector: read models and reactors on one runner. Used by `server.ts` (its own process)
 * and by the standalone process, which hosts it beside the API.
 */
export const startProjector = async (options: ProjectorOptions): Promise<ProjectorHandle> => {
  const reactors = options.reactors ?? [];
  const unregisterMetrics: (() => void)[] = [];
  let appliedObserver: ((projection: string, count: number) => void) | undefined;
  const runner = createProjectionRunner({
    store: options.store,
    sql: options.sql,
    projections: options.projections,
    reactors,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.batchWaitMs === undefined ? {} : { batchWaitMs: options.batchWaitMs }),
    ...(options.lockRetryMs === undefined ? {} : { lockRetryMs: options.lockRetryMs }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.lagIntervalMs === undefined ? {} : { lagIntervalMs: options.lagIntervalMs }),
    observer: {
      eventsApplied: (projection, count) => appliedObserver?.(projection, count),
    },
  });
  if (options.metrics !== undefined) {
    const registered = registerProjectionMetrics(options.metrics, () => runner.status());
    appliedObserver = registered.eventsApplied;
    unregisterMetrics.push(registered.unregister);
  }
  const hostedNames = [
    ...options.projections.map((projection) => projection.name),
    ...reactors.map((reactor) => reactor.projection.name),
  ];
  await runner.start();

  return {
    status: () => runner.status(),
    async checkReadiness() {
      const { rows } = await options.sql.query<{ projection: string; position: string }>(
        `SELECT p.projection, p.position::text AS position
           FROM projection_parked AS p
           JOIN projection_checkpoints AS c ON c.schema_name = p.schema_name AND c.state <> 'retired'
          WHERE p.status = 'parked' AND p.projection = ANY($1)
          ORDER BY p.projection, p.position`,
        [hostedNames],
      );
      // Lag of what this process runs (a standby reports none), for operators and probes alike.
      const projections = runner.status().map((status) => ({
        name: status.name,
        version: status.version,
        role: status.role,
        parked: status.parked,
        ...(status.lag === undefined
          ? {}
          : {
              lagEvents: status.lag.events,
              lagEventsExact: status.lag.exact,
              lagSeconds: status.lag.seconds,
            }),
      }));
      if (rows.length > 0) {
        throw new ProjectionParkedError(
          `parked events: ${rows.map((row) => `${row.projection} at ${row.position}`).join(', ')}`,
          {
            projections,
            parked: rows.map((row) => ({ projection: row.projection, position: row.position })),
          },
        );
      }
      return { projections };
    },
    async stop() {
      await runner.stop();
      for (const unregister of unregisterMetrics) unregister();
    },
  };
};
