import { CityIdSchema } from '@twinning/domain';
import type { EventStore } from '@twinning/event-store';
import type { HttpApp } from '@twinning/http-kit';
import type { SqlClient } from '@twinning/sql';
import {
  createDeliveryLog,
  createSecretCipher,
  createWebhookEndpoints,
  DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type HostResolver,
  type WebhookSettings,
} from '@twinning/webhooks';
import { z } from 'zod';
import { requireRole } from '../auth/index.js';
import { answeringWebhookProblems as answering } from './webhook-problems.js';
import {
  AttemptSchema,
  DeliverySchema,
  EndpointSchema,
  NoticeSchema,
  representAttempt,
  representDelivery,
  representEndpoint,
  representNotice,
  WebhookEventTypeSchema,
} from './webhook-representation.js';

export interface WebhookRouteOptions {
  readonly sql: SqlClient;
  readonly store: EventStore;
  readonly settings: WebhookSettings;
  readonly now: () => Date;
  /** Name resolution for the address check; tests inject one. */
  readonly resolve?: HostResolver;
}

const EndpointParams = z.object({ endpointId: z.uuid() });
const DeliveryParams = z.object({
  deliveryId: z.string().regex(/^\d{1,18}$/, 'must be a delivery id'),
});

const EndpointDefinitionSchema = z.object({
  url: z.string().min(1).max(2_048),
  description: z.string().trim().min(1).max(500).nullable().optional(),
  eventTypes: z
    .array(WebhookEventTypeSchema)
    .max(WEBHOOK_EVENT_TYPES.length)
    .nullable()
    .optional()
    .describe('Webhook types to receive; null or absent: every type'),
  cityIds: z
    .array(CityIdSchema)
    .max(100)
    .nullable()
    .optional()
    .describe('Only agreements one of these cities is party to; null or absent: every agreement'),
});

const admin = { tags: ['webhooks'], security: [{ bearerAuth: [] }] };

/**
 * Admin routes for webhook endpoints, their deliveries and attempts, redelivery and back-fill.
 * Sending is the dispatcher's work; these routes only read and write the shared tables.
 */
export const registerWebhookRoutes = async (
  app: HttpApp,
  options: WebhookRouteOptions,
): Promise<void> => {
  const endpoints = await createWebhookEndpoints(options.sql, {
    cipher: createSecretCipher(options.settings.encryptionKey),
    addressPolicy: options.settings.addressPolicy,
    ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
  });
  const deliveries = createDeliveryLog(options.sql, options.store);
  const preHandler = requireRole('admin');

  app.get(
    '/admin/webhooks/event-types',
    {
      schema: {
        ...admin,
        summary: 'The webhook types an endpoint can subscribe to',
        response: { 200: z.object({ eventTypes: z.array(z.string()) }) },
      },
      preHandler,
    },
    () => ({ eventTypes: [...WEBHOOK_EVENT_TYPES] }),
  );

  app.post(
    '/admin/webhooks/endpoints',
    {
      schema: {
        ...admin,
        summary: 'Create a webhook endpoint; the response shows its signing secret, this once',
        body: EndpointDefinitionSchema,
        response: { 201: z.object({ endpoint: EndpointSchema, secret: z.string() }) },
      },
      preHandler,
    },
    async (request, reply) => {
      const created = await answering(() => endpoints.create(request.body, options.now()));
      return reply
        .status(201)
        .header('location', `/admin/webhooks/endpoints/${created.endpoint.id}`)
        .send({ endpoint: representEndpoint(created.endpoint), secret: created.secret });
    },
  );

  app.get(
    '/admin/webhooks/endpoints',
    {
      schema: {
        ...admin,
        summary: 'Every webhook endpoint',
        response: { 200: z.object({ endpoints: z.array(EndpointSchema) }) },
      },
      preHandler,
    },
    async () => ({ endpoints: (await endpoints.list()).map(representEndpoint) }),
  );

  app.get(
    '/admin/webhooks/endpoints/:endpointId',
    {
      schema: {
        ...admin,
        summary: 'One webhook endpoint',
        params: EndpointParams,
        response: { 200: EndpointSchema },
      },
      preHandler,
    },
    async (request) =>
      representEndpoint(await answering(() => endpoints.get(request.params.endpointId))),
  );

  app.patch(
    '/admin/webhooks/endpoints/:endpointId',
    {
      schema: {
        ...admin,
        summary: 'Change an endpoint’s URL, description or filters',
        params: EndpointParams,
        body: EndpointDefinitionSchema.partial(),
        response: { 200: EndpointSchema },
      },
      preHandler,
    },
    async (request) =>
      representEndpoint(
        await answering(() =>
          endpoints.update(request.params.endpointId, request.body, options.now()),
        ),
      ),
  );

  app.delete(
    '/admin/webhooks/endpoints/:endpointId',
    {
      schema: {
        ...admin,
        summary: 'Delete an endpoint with its deliveries and attempts',
        params: EndpointParams,
        response: { 204: z.null() },
      },
      preHandler,
    },
    async (request, reply) => {
      await answering(() => endpoints.delete(request.params.endpointId));
      return reply.status(204).send(null);
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/admin/webhooks/endpoints/:endpointId/${action}`,
      {
        schema: {
          ...admin,
          summary:
            action === 'pause'
              ? 'Hold deliveries (they are still recorded and go out on resume)'
              : 'Resume a paused endpoint, or re-enable a disabled one',
          params: EndpointParams,
          response: { 200: EndpointSchema },
        },
        preHandler,
      },
      async (request) =>
        representEndpoint(
          await answering(() => endpoints[action](request.params.endpointId, options.now())),
        ),
    );
  }

  app.post(
    '/admin/webhooks/endpoints/:endpointId/rotate-secret',
    {
      schema: {
        ...admin,
        summary: 'Issue a new signing secret; the old one keeps signing for the grace period',
        params: EndpointParams,
        body: z
          .object({
            gracePeriodSeconds: z
              .number()
              .int()
              .min(0)
              .max(30 * 24 * 3600)
              .optional(),
          })
          .optional(),
        response: { 200: z.object({ endpoint: EndpointSchema, secret: z.string() }) },
      },
      preHandler,
    },
    async (request) => {
      const graceMs =
        request.body?.gracePeriodSeconds === undefined
          ? options.settings.secretGracePeriodMs
          : request.body.gracePeriodSeconds * 1000;
      const rotated = await answering(() =>
        endpoints.rotateSecret(request.params.endpointId, graceMs, options.now()),
      );
      return { endpoint: representEndpoint(rotated.endpoint), secret: rotated.secret };
    },
  );

  app.get(
    '/admin/webhooks/endpoints/:endpointId/deliveries',
    {
      schema: {
        ...admin,
        summary: 'An endpoint’s deliveries, newest first',
        params: EndpointParams,
        querystring: z.object({
          status: z.enum(DELIVERY_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          before: z
            .string()
            .regex(/^\d{1,18}$/)
            .optional()
            .describe('A delivery id: list older ones'),
        }),
        response: { 200: z.object({ deliveries: z.array(DeliverySchema) }) },
      },
      preHandler,
    },
    async (request) => ({
      deliveries: (
        await answering(() =>
          deliveries.list(request.params.endpointId, {
            status: request.query.status,
            limit: request.query.limit,
            beforeId: request.query.before,
          }),
        )
      ).map(representDelivery),
    }),
  );

  app.post(
    '/admin/webhooks/endpoints/:endpointId/redeliver',
    {
      schema: {
        ...admin,
        summary: 'Send again the deliveries recorded in a time range (by default the failed ones)',
        params: EndpointParams,
        body: z
          .object({
            from: z.iso.datetime({ offset: true }),
            to: z.iso.datetime({ offset: true }),
            statuses: z.array(z.enum(DELIVERY_STATUSES)).min(1).optional(),
          })
          .refine((range) => Date.parse(range.from) < Date.parse(range.to), {
            path: ['to'],
            message: 'must be after from',
          }),
        response: { 202: z.object({ redelivered: z.number().int() }) },
      },
      preHandler,
    },
    async (request, reply) => {
      const { from, to, statuses } = request.body;
      const redelivered = await answering(() =>
        deliveries.redeliverRange(
          request.params.endpointId,
          {
            from: new Date(from),
            to: new Date(to),
            ...(statuses === undefined ? {} : { statuses }),
          },
          options.now(),
        ),
      );
      return reply.status(202).send({ redelivered });
    },
  );

  app.post(
    '/admin/webhooks/endpoints/:endpointId/backfill',
    {
      schema: {
        ...admin,
        summary: 'Record deliveries for past events, from a global position (inclusive)',
        params: EndpointParams,
        body: z.object({
          fromPosition: z
            .string()
            .regex(/^\d{1,19}$/, 'must be a global position (decimal string)'),
        }),
        response: {
          202: z.object({ recorded: z.number().int(), upToPosition: z.string().nullable() }),
        },
      },
      preHandler,
    },
    async (request, reply) => {
      const report = await answering(() =>
        deliveries.backfill(
          request.params.endpointId,
          BigInt(request.body.fromPosition),
          options.now(),
        ),
      );
      return reply.status(202).send({
        recorded: report.recorded,
        upToPosition: report.upToPosition === null ? null : report.upToPosition.toString(),
      });
    },
  );

  app.get(
    '/admin/webhooks/deliveries/:deliveryId',
    {
      schema: {
        ...admin,
        summary: 'One delivery with every attempt made',
        params: DeliveryParams,
        response: { 200: z.object({ delivery: DeliverySchema, attempts: z.array(AttemptSchema) }) },
      },
      preHandler,
    },
    async (request) => {
      const found = await answering(() => deliveries.get(request.params.deliveryId));
      return {
        delivery: representDelivery(found.delivery),
        attempts: found.attempts.map(representAttempt),
      };
    },
  );

  app.post(
    '/admin/webhooks/deliveries/:deliveryId/redeliver',
    {
      schema: {
        ...admin,
        summary: 'Send one delivery again, with the same webhook-id',
        params: DeliveryParams,
        response: { 202: DeliverySchema },
      },
      preHandler,
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          representDelivery(
            await answering(() => deliveries.redeliver(request.params.deliveryId, options.now())),
          ),
        ),
  );

  app.get(
    '/admin/webhooks/notices',
    {
      schema: {
        ...admin,
        summary: 'Records kept about endpoints (endpoint.disabled), newest first',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.object({ notices: z.array(NoticeSchema) }) },
      },
      preHandler,
    },
    async (request) => ({
      notices: (await endpoints.notices(request.query.limit)).map(representNotice),
    }),
  );
};
