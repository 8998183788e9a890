export {
  startProjector,
  ProjectionParkedError,
  type ProjectorHandle,
  type ProjectorOptions,
} from './start-projector.js';
export { registerProjectorRoutes } from './projector-routes.js';
export { registerProjectionMetrics } from './projection-metrics.js';
export {
  UnknownProjectionError,
  projectorWorkload,
  type ProjectorWorkloadOptions,
} from './projector-workload.js';
export { loadProjectorConfig, projectorEnvironmentSchema, type ProjectorConfig } from './config.js';
export {
  EXPIRY_REACTOR_ACTOR,
  createExpiryReactor,
  expiryIdempotencyKey,
  type ExpiryReactorOptions,
} from './expiry/expiry-reactor.js';
export { EXPIRY_SCHEDULE_TABLE, expiryScheduleProjection } from './expiry/expiry-schedule.js';
