import { createProblem, type HttpApp } from '@twinning/http-kit';
import {
  NoParkedEventError,
  UnknownProjectionError,
  createProjectionControl,
  type BuildRecord,
  type ParkedEvent,
  type ProjectionControl,
  type ProjectionRequest,
  type SkippedEvent,
} from '@twinning/projections';
import type { SqlClient } from '@twinning/sql';
import { z } from 'zod';
import { actorOf, requireRole } from '../auth/index.js';

const ProjectionNotFound = createProblem(
  'TWN_ERR_PROJECTION_NOT_FOUND',
  404,
  'Projection not found',
);
const ParkedEventNotFound = createProblem(
  'TWN_ERR_PARKED_EVENT_NOT_FOUND',
  404,
  'No parked event there',
);
const ProjectionRequestNotFound = createProblem(
  'TWN_ERR_PROJECTION_REQUEST_NOT_FOUND',
  404,
  'Projection request not found',
);

const ProjectionNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,29}$/, 'a projection name such as agreements');
/** Global positions are int8: carried as decimal strings. */
const PositionSchema = z.string().regex(/^\d{1,19}$/, 'a global position, as a decimal string');
const timestamp = z.iso.datetime();

const BuildSchema = z.object({
  projection: z.string(),
  version: z.number().int(),
  build: z.number().int(),
  schema: z.string(),
  state: z.enum(['building', 'serving', 'retired']),
  position: PositionSchema.nullable(),
  eventsApplied: z.string(),
  lastEventStoredAt: timestamp.nullable(),
  startedAt: timestamp,
  caughtUpAt: timestamp.nullable(),
  servingSince: timestamp.nullable(),
  updatedAt: timestamp,
});

const ParkedEventSchema = z.object({
  projection: z.string(),
  version: z.number().int(),
  schema: z.string(),
  position: PositionSchema,
  streamId: z.string(),
  revision: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  error: z.string(),
  attempts: z.number().int(),
  parkedAt: timestamp,
});

const SkippedEventSchema = z.object({
  projection: z.string(),
  version: z.number().int(),
  position: PositionSchema,
  streamId: z.string(),
  revision: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  error: z.string(),
  skippedBy: z.string(),
  reason: z.string(),
  skippedAt: timestamp,
});

const RequestSchema = z.object({
  id: z.string(),
  projection: z.string(),
  kind: z.enum(['rebuild', 'retry', 'skip']),
  position: PositionSchema.nullable(),
  requestedBy: z.string(),
  reason: z.string().nullable(),
  requestedAt: timestamp,
  status: z.enum(['pending', 'done', 'rejected']),
  outcome: z.string().nullable(),
  handledAt: timestamp.nullable(),
});

const iso = (date: Date | undefined): string | null => date?.toISOString() ?? null;

const representBuild = (build: BuildRecord): z.infer<typeof BuildSchema> => ({
  projection: build.name,
  version: build.version,
  build: build.build,
  schema: build.schema,
  state: build.state,
  position: build.position?.toString() ?? null,
  eventsApplied: build.eventsApplied.toString(),
  lastEventStoredAt: iso(build.lastEventStoredAt),
  startedAt: build.startedAt.toISOString(),
  caughtUpAt: iso(build.caughtUpAt),
  servingSince: iso(build.servingSince),
  updatedAt: build.updatedAt.toISOString(),
});

const representParked = (event: ParkedEvent): z.infer<typeof ParkedEventSchema> => ({
  projection: event.projection,
  version: event.version,
  schema: event.schema,
  position: event.position.toString(),
  streamId: event.streamId,
  revision: event.revision.toString(),
  eventId: event.eventId,
  eventType: event.eventType,
  error: event.error,
  attempts: event.attempts,
  parkedAt: event.parkedAt.toISOString(),
});

const representSkipped = (event: SkippedEvent): z.infer<typeof SkippedEventSchema> => ({
  projection: event.projection,
  version: event.version,
  position: event.position.toString(),
  streamId: event.streamId,
  revision: event.revision.toString(),
  eventId: event.eventId,
  eventType: event.eventType,
  error: event.error,
  skippedBy: event.skippedBy,
  reason: event.reason,
  skippedAt: event.skippedAt.toISOString(),
});

const representRequest = (request: ProjectionRequest): z.infer<typeof RequestSchema> => ({
  id: request.id,
  projection: request.projection,
  kind: request.kind,
  position: request.position?.toString() ?? null,
  requestedBy: request.requestedBy,
  reason: request.reason ?? null,
  requestedAt: request.requestedAt.toISOString(),
  status: request.status,
  outcome: request.outcome ?? null,
  handledAt: iso(request.handledAt),
});

/** Control errors become problems; anything else stays a 500. */
const asProblem = (error: unknown): unknown => {
  if (error instanceof UnknownProjectionError) return ProjectionNotFound(error.message);
  if (error instanceof NoParkedEventError) return ParkedEventNotFound(error.message);
  return error;
};

const filed = async (file: () => Promise<ProjectionRequest>) => {
  try {
    return representRequest(await file());
  } catch (error) {
    throw asProblem(error);
  }
};

const admin = { tags: ['admin'], security: [{ bearerAuth: [] }] };

/**
 * Admins look at projections (builds, checkpoints, parked and skipped events) and ask for a
 * rebuild, or a retry or skip of a parked event. Requests are carried out by whichever projector
 * process holds the projection; the answer (202) names the request to follow up on.
 */
export const registerProjectionAdminRoutes = async (
  app: HttpApp,
  dependencies: { readonly sql: SqlClient } | { readonly control: ProjectionControl },
): Promise<void> => {
  const control =
    'control' in dependencies
      ? dependencies.control
      : await createProjectionControl(dependencies.sql);
  const ProjectionQuery = z.object({ projection: ProjectionNameSchema.optional() });

  app.get(
    '/admin/projections',
    {
      schema: {
        ...admin,
        summary: 'Builds of every projection, with checkpoints and parked events',
        response: {
          200: z.object({ builds: z.array(BuildSchema), parked: z.array(ParkedEventSchema) }),
        },
      },
      preHandler: requireRole('admin'),
    },
    async () => {
      const [builds, parked] = await Promise.all([control.builds(), control.parked()]);
      return { builds: builds.map(representBuild), parked: parked.map(representParked) };
    },
  );

  app.get(
    '/admin/projections/parked',
    {
      schema: {
        ...admin,
        summary: 'Events that stopped a projection, waiting for a retry or a skip',
        querystring: ProjectionQuery,
        response: { 200: z.object({ parked: z.array(ParkedEventSchema) }) },
      },
      preHandler: requireRole('admin'),
    },
    async (request) => ({
      parked: (await control.parked(request.query.projection)).map(representParked),
    }),
  );

  app.get(
    '/admin/projections/skipped',
    {
      schema: {
        ...admin,
        summary: 'Events skipped by an admin: who, when and why',
        querystring: ProjectionQuery,
        response: { 200: z.object({ skipped: z.array(SkippedEventSchema) }) },
      },
      preHandler: requireRole('admin'),
    },
    async (request) => ({
      skipped: (await control.skipped(request.query.projection)).map(representSkipped),
    }),
  );

  app.post(
    '/admin/projections/:projection/rebuild',
    {
      schema: {
        ...admin,
        summary: 'Rebuild a projection from the start of the log, beside the serving tables',
        params: z.object({ projection: ProjectionNameSchema }),
        body: z.object({ reason: z.string().trim().min(1).max(500).optional() }).optional(),
        response: { 202: RequestSchema },
      },
      preHandler: requireRole('admin'),
    },
    async (request, reply) => {
      const reason = request.body?.reason;
      const answer = await filed(() =>
        control.requestRebuild({
          projection: request.params.projection,
          requestedBy: actorOf(request).subject,
          ...(reason === undefined ? {} : { reason }),
        }),
      );
      return reply.status(202).send(answer);
    },
  );

  const parkedParams = z.object({ projection: ProjectionNameSchema, position: PositionSchema });

  app.post(
    '/admin/projections/:projection/parked/:position/retry',
    {
      schema: {
        ...admin,
        summary: 'Apply a parked event again, once its cause is fixed',
        params: parkedParams,
        response: { 202: RequestSchema },
      },
      preHandler: requireRole('admin'),
    },
    async (request, reply) => {
      const answer = await filed(() =>
        control.requestRetry({
          projection: request.params.projection,
          position: BigInt(request.params.position),
          requestedBy: actorOf(request).subject,
        }),
      );
      return reply.status(202).send(answer);
    },
  );

  app.post(
    '/admin/projections/:projection/parked/:position/skip',
    {
      schema: {
        ...admin,
        summary: 'Move a projection past a parked event; recorded with who and why',
        params: parkedParams,
        body: z.object({ reason: z.string().trim().min(1).max(500) }),
        response: { 202: RequestSchema },
      },
      preHandler: requireRole('admin'),
    },
    async (request, reply) => {
      const answer = await filed(() =>
        control.requestSkip({
          projection: request.params.projection,
          position: BigInt(request.params.position),
          requestedBy: actorOf(request).subject,
          reason: request.body.reason,
        }),
      );
      return reply.status(202).send(answer);
    },
  );

  app.get(
    '/admin/projections/requests/:id',
    {
      schema: {
        ...admin,
        summary: 'How a rebuild, retry or skip request went',
        params: z.object({ id: z.string().regex(/^[1-9]\d{0,18}$/, 'a request id') }),
        response: { 200: RequestSchema },
      },
      preHandler: requireRole('admin'),
    },
    async (request) => {
      const found = await control.request(request.params.id);
      if (found === undefined) throw ProjectionRequestNotFound(`No request ${request.params.id}`);
      return representRequest(found);
    },
  );
};
