import {
  DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type Delivery,
  type DeliveryAttempt,
  type EndpointNotice,
  type WebhookEndpoint,
  type WebhookEventType,
} from '@twinning/webhooks';
import { z } from 'zod';

const timestamp = z.iso.datetime();
const nullableTimestamp = timestamp.nullable();
const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export const WebhookEventTypeSchema = z.enum(
  WEBHOOK_EVENT_TYPES as [WebhookEventType, ...WebhookEventType[]],
);

export const EndpointSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.string()).nullable().describe('null: every event type'),
  cityIds: z.array(z.string()).nullable().describe('null: agreements of every city'),
  status: z.enum(['active', 'paused', 'disabled']),
  disabledReason: z.string().nullable(),
  disabledAt: nullableTimestamp,
  failingSince: nullableTimestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
  secrets: z
    .array(z.object({ createdAt: timestamp, expiresAt: nullableTimestamp }))
    .describe('Secrets signing now: the current one and rotated ones still in their grace period'),
});

export const representEndpoint = (endpoint: WebhookEndpoint): z.infer<typeof EndpointSchema> => ({
  id: endpoint.id,
  url: endpoint.url,
  description: endpoint.description,
  eventTypes: endpoint.eventTypes === null ? null : [...endpoint.eventTypes],
  cityIds: endpoint.cityIds === null ? null : [...endpoint.cityIds],
  status: endpoint.status,
  disabledReason: endpoint.disabledReason,
  disabledAt: iso(endpoint.disabledAt),
  failingSince: iso(endpoint.failingSince),
  createdAt: endpoint.createdAt.toISOString(),
  updatedAt: endpoint.updatedAt.toISOString(),
  secrets: endpoint.secrets.map((secret) => ({
    createdAt: secret.createdAt.toISOString(),
    expiresAt: iso(secret.expiresAt),
  })),
});

export const DeliverySchema = z.object({
  id: z.string(),
  endpointId: z.uuid(),
  eventId: z.string(),
  webhookId: z.string(),
  type: z.string(),
  agreementStreamId: z.string(),
  globalPosition: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: nullableTimestamp,
  createdAt: timestamp,
  lastAttemptAt: nullableTimestamp,
  deliveredAt: nullableTimestamp,
});

export const representDelivery = (delivery: Delivery): z.infer<typeof DeliverySchema> => ({
  id: delivery.id,
  endpointId: delivery.endpointId,
  eventId: delivery.eventId,
  webhookId: delivery.webhookId,
  type: delivery.type,
  agreementStreamId: delivery.streamId,
  globalPosition: delivery.position.toString(),
  status: delivery.status,
  attempts: delivery.attempts,
  nextAttemptAt: iso(delivery.nextAttemptAt),
  createdAt: delivery.createdAt.toISOString(),
  lastAttemptAt: iso(delivery.lastAttemptAt),
  deliveredAt: iso(delivery.deliveredAt),
});

export const AttemptSchema = z.object({
  id: z.string(),
  attemptedAt: timestamp,
  outcome: z.enum(['delivered', 'gone', 'failed']),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  responseExcerpt: z.string().nullable().describe('The first 1 KiB of the response body'),
  error: z.string().nullable(),
});

export const representAttempt = (attempt: DeliveryAttempt): z.infer<typeof AttemptSchema> => ({
  ...attempt,
  attemptedAt: attempt.attemptedAt.toISOString(),
});

export const NoticeSchema = z.object({
  id: z.string(),
  endpointId: z.uuid(),
  type: z.literal('endpoint.disabled'),
  reason: z.string(),
  createdAt: timestamp,
});

export const representNotice = (notice: EndpointNotice): z.infer<typeof NoticeSchema> => ({
  ...notice,
  createdAt: notice.createdAt.toISOString(),
});
