import type { AppMetrics } from '@twinning/http-kit';
import type { ProjectionStatus } from '@twinning/projections';

export interface RegisteredProjectionMetrics {
  /** Feeds `twinning_projection_events_applied_total`. */
  readonly eventsApplied: (projection: string, count: number) => void;
  readonly unregister: () => void;
}

/**
 * Projection metrics, read from the runner's status when Prometheus scrapes. Only the process
 * that holds a projection reports its lag and progress; standby processes report none, so a sum
 * or max over replicas is the projection's own value.
 */
export const registerProjectionMetrics = (
  metrics: AppMetrics,
  status: () => readonly ProjectionStatus[],
): RegisteredProjectionMetrics => {
  const active = () => status().filter((projection) => projection.role === 'active');
  const names = [
    'twinning_projection_events_applied_total',
    'twinning_projection_lag_events',
    'twinning_projection_lag_seconds',
    'twinning_projection_rebuild_progress_ratio',
    'twinning_projection_parked',
    'twinning_projection_active',
  ];
  const applied = metrics.counter({
    name: 'twinning_projection_events_applied_total',
    help: 'Events applied to a projection by this process.',
    labelNames: ['projection'],
  });
  metrics.gauge({
    name: 'twinning_projection_lag_events',
    help: 'Events the projection has not applied yet (extrapolated when the backlog is long).',
    labelNames: ['projection'],
    collect() {
      this.reset();
      for (const projection of active()) {
        if (projection.lag !== undefined) {
          this.set({ projection: projection.name }, projection.lag.events);
        }
      }
    },
  });
  metrics.gauge({
    name: 'twinning_projection_lag_seconds',
    help: 'Age of the oldest event the projection has not applied yet; 0 when up to date.',
    labelNames: ['projection'],
    collect() {
      this.reset();
      for (const projection of active()) {
        if (projection.lag !== undefined) {
          this.set({ projection: projection.name }, projection.lag.seconds);
        }
      }
    },
  });
  metrics.gauge({
    name: 'twinning_projection_rebuild_progress_ratio',
    help: 'How far a build has come from the start of the log to its head (1 once caught up).',
    labelNames: ['projection', 'schema'],
    collect() {
      this.reset();
      for (const projection of active()) {
        for (const build of projection.builds) {
          this.set(
            { projection: projection.name, schema: build.schema },
            build.phase === 'live' ? 1 : build.progress.ratio,
          );
        }
      }
    },
  });
  metrics.gauge({
    name: 'twinning_projection_parked',
    help: '1 while the projection is stopped on a parked event.',
    labelNames: ['projection'],
    collect() {
      this.reset();
      for (const projection of active()) {
        this.set({ projection: projection.name }, projection.parked ? 1 : 0);
      }
    },
  });
  metrics.gauge({
    name: 'twinning_projection_active',
    help: '1 when this process holds the projection, 0 on standby or superseded.',
    labelNames: ['projection'],
    collect() {
      this.reset();
      for (const projection of status()) {
        this.set({ projection: projection.name }, projection.role === 'active' ? 1 : 0);
      }
    },
  });
  return {
    eventsApplied: (projection, count) => applied.inc({ projection }, count),
    unregister: () => {
      for (const name of names) metrics.registry.removeSingleMetric(name);
    },
  };
};
