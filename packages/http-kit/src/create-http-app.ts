import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import { LogController, fastify } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { CORRELATION_ID_HEADER, correlationIdOf } from './correlation.js';
import { createReadiness } from './health.js';
import type { Readiness, ReadinessCheck } from './health.js';
import { createLogger } from './logger.js';
import { createAppMetrics } from './metrics.js';
import type { AppMetrics } from './metrics.js';
import { PROBLEM_CONTENT_TYPE, RouteNotFound } from './problem.js';
import { problemFromError } from './problem-from-error.js';

/**
 * Augment to give `request.actor` the type an authentication plugin sets, as
 * `declare module '@twinning/http-kit' { interface ActorTypes { actor: Actor } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ActorTypes {}

export type RequestActor = ActorTypes extends { actor: infer Actor extends { subject: string } }
  ? Actor
  : { readonly subject: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's `X-Correlation-Id`, or a new uuid; echoed in the response and every log line. */
    correlationId: string;
    /** Who is calling, once an authentication hook has run; `null` for anonymous requests. */
    actor: RequestActor | null;
  }
  interface FastifyInstance {
    readonly metrics: AppMetrics;
    readonly readiness: Readiness;
  }
  interface FastifyContextConfig {
    /** Served without authentication (health, metrics, documentation). */
    public?: boolean;
  }
}

export type HttpApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpAppOptions {
  /** Service name: the logger's `name`, the metrics' `service` label, the OpenAPI title. */
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  /** A pino logger (see `createLogger`); by default one at `info` level named after the service. */
  readonly logger?: Logger;
  /** Largest accepted request body; 1 MiB by default. */
  readonly bodyLimitBytes?: number;
  readonly readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /** How long each readiness check may take; 2 s by default. */
  readonly readinessTimeoutMs?: number;
  /** Process metrics (CPU, memory, event loop); on by default. */
  readonly defaultMetrics?: boolean;
  /** Trust `X-Forwarded-*` from a proxy in front of the service. */
  readonly trustProxy?: boolean;
  /** Declares `bearerAuth` (an HTTP bearer JWT) in the OpenAPI document for routes that use it. */
  readonly bearerAuth?: boolean;
}

const pathOf = (url: string): string => url.split('?', 1)[0] ?? url;

/**
 * A Fastify app with the conventions every Twinning service shares: zod-typed routes, correlation
 * ids, one log line per request, problem+json errors, health, metrics and OpenAPI. It never
 * listens: call `listen` (and `runUntilSignalled`) in the service's entry point, or `inject` in tests.
 *
 * Asynchronous because the OpenAPI plugin must be loaded before routes are added: only routes
 * declared after it are described in `/openapi.json`.
 */
export const createHttpApp = async (options: HttpAppOptions): Promise<HttpApp> => {
  // Typed as Fastify's logger so the app's type does not depend on pino's.
  const logger: FastifyBaseLogger = options.logger ?? createLogger({ name: options.name });
  const app = fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    genReqId: () => randomUUID(),
    // The kit writes its own completion line, with the correlation id and actor.
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: true,
    }),
    childLoggerFactory: (parent, bindings, childOptions, raw) =>
      parent.child({ ...bindings, correlationId: correlationIdOf(raw) }, childOptions),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const metrics = createAppMetrics({
    defaultMetrics: options.defaultMetrics ?? true,
    defaultLabels: { service: options.name },
  });
  const readiness = createReadiness(options.readinessTimeoutMs ?? 2_000);
  for (const [name, check] of Object.entries(options.readinessChecks ?? {})) {
    readiness.add(name, check);
  }
  app.decorate('metrics', metrics);
  app.decorate('readiness', readiness);
  app.decorateRequest('correlationId', '');
  app.decorateRequest('actor', null);

  app.addHook('onRequest', (request, reply, done) => {
    request.correlationId = correlationIdOf(request.raw);
    void reply.header(CORRELATION_ID_HEADER, request.correlationId);
    done();
  });

  // Keep-alive connections would otherwise hold `close()` open after their last response: once
  // shutdown starts, every response asks the client to reconnect elsewhere.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    metrics.httpRequestsTotal.inc(labels);
    metrics.httpRequestDurationSeconds.observe(labels, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ...(request.actor === null ? {} : { actor: request.actor.subject }),
      },
      'request completed',
    );
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = problemFromError(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.debug({ err: error, code: problem.code }, 'request refused');
    return reply
      .status(problem.status)
      .headers({ ...problem.headers })
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        // Serialised here so that a route's response schema for this status never reshapes it.
        JSON.stringify(
          problem.toDocument({
            instance: pathOf(request.url),
            correlationId: correlationIdOf(request.raw),
          }),
        ),
      );
  });

  app.setNotFoundHandler((request) => {
    throw RouteNotFound(`No route for ${request.method} ${pathOf(request.url)}`);
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: options.name,
        version: options.version ?? '0.0.0',
        ...(options.description === undefined ? {} : { description: options.description }),
      },
      ...(options.bearerAuth === true
        ? {
            components: {
              securitySchemes: {
                bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
              },
            },
          }
        : {}),
    },
    transform: jsonSchemaTransform,
  });

  app.get('/health/live', { config: { public: true } }, () => ({ status: 'live' }));

  app.get('/health/ready', { config: { public: true } }, async (request, reply) => {
    const report = await readiness.run((failure) =>
      request.log.warn(
        { check: failure.name, reason: failure.reason, err: failure.error },
        'readiness check failed',
      ),
    );
    return reply.status(report.status === 'ready' ? 200 : 503).send(report);
  });

  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, () =>
    app.swagger(),
  );

  return app;
};
