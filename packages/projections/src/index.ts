export * from './projection.js';
export type { BuildRecord, BuildState } from './build-record.js';
export { ensureProjectionTables, PROJECTION_REQUESTS_CHANNEL } from './control-tables.js';
export { batchMessages, type BatchingOptions, type MessageBatch } from './message-batches.js';
export {
  createProjectionRunner,
  type ProjectionRunner,
  type ProjectionRunnerOptions,
} from './projection-runner.js';
export * from './runner-types.js';
export * from './projection-control.js';
export {
  formatDuration,
  formatProgressLine,
  startProgressDisplay,
  type ProgressDisplayOptions,
} from './progress-display.js';
