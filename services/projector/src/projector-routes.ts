import type { HttpApp } from '@twinning/http-kit';
import type { ProjectionStatus } from '@twinning/projections';
import type { ProjectorHandle } from './start-projector.js';

const toJson = (projection: ProjectionStatus) => ({
  name: projection.name,
  version: projection.version,
  role: projection.role,
  parked: projection.parked,
  lag: projection.lag ?? null,
  builds: projection.builds.map((build) => ({
    schema: build.schema,
    serving: build.serving,
    phase: build.phase,
    position: build.position?.toString() ?? null,
    eventsApplied: build.eventsApplied.toString(),
    progress: {
      ratio: build.progress.ratio,
      eventsPerSecond: Math.round(build.progress.eventsPerSecond),
      secondsLeft:
        build.progress.secondsLeft === undefined ? null : Math.round(build.progress.secondsLeft),
    },
    parkedAt: build.parked?.position.toString() ?? null,
    parkedError: build.parked?.error ?? null,
  })),
});

/**
 * Adds the projector to an HTTP app: `/health/ready` fails while an event is parked, and
 * `/health/projections` shows each projection's role, lag and progress in this process.
 */
export const registerProjectorRoutes = (app: HttpApp, projector: ProjectorHandle): void => {
  app.readiness.add('projections', () => projector.checkReadiness());
  app.get('/health/projections', { config: { public: true }, schema: { hide: true } }, () => ({
    projections: projector.status().map(toJson),
  }));
};
