export {
  ConfigError,
  LOG_LEVELS,
  booleanVariable,
  durationVariable,
  loadConfig,
  logLevelVariable,
  portVariable,
  urlVariable,
} from './config.js';
export type { ConfigIssue, Environment, LogLevel } from './config.js';
export { createLogger, REDACTED_PATHS } from './logger.js';
export type { LoggerOptions } from './logger.js';
export { createHttpApp } from './create-http-app.js';
export type { ActorTypes, HttpApp, HttpAppOptions, RequestActor } from './create-http-app.js';
export { CORRELATION_ID_HEADER, correlationIdOf } from './correlation.js';
export {
  BadRequest,
  Forbidden,
  HttpProblemError,
  InternalError,
  MalformedBody,
  PROBLEM_CONTENT_TYPE,
  PayloadTooLarge,
  RouteNotFound,
  Unauthenticated,
  UnsupportedMediaType,
  ValidationFailed,
  createProblem,
  problemTypeOf,
} from './problem.js';
export type {
  FieldError,
  ProblemCode,
  ProblemDetails,
  ProblemDocument,
  ProblemExtensionValue,
  ProblemFactory,
} from './problem.js';
export { problemFromError } from './problem-from-error.js';
export { createAppMetrics } from './metrics.js';
export type { AppMetrics, AppMetricsOptions } from './metrics.js';
export type { Counter, Gauge, Histogram } from 'prom-client';
export { ReadinessCheckFailed, createReadiness } from './health.js';
export type {
  FailedCheck,
  Readiness,
  ReadinessCheck,
  ReadinessCheckResult,
  ReadinessReport,
  ReadinessDetails,
} from './health.js';
export { runUntilSignalled } from './shutdown.js';
export type {
  ClosableApp,
  ProcessControl,
  RunUntilSignalledOptions,
  ShutdownControl,
  ShutdownHook,
} from './shutdown.js';
export type { ZodTypeProvider } from 'fastify-type-provider-zod';
