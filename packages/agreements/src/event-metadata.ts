import { ActorSchema, COMMAND_TYPES } from '@twinning/domain';
import { z } from 'zod';

/**
 * The metadata every agreement event is stored with. The event id is the store's own id (a uuid,
 * also the idempotency key); the hash chain (`prevHash`, `hash`) is kept by the store.
 */
export const EventMetadataSchema = z.object({
  /** Who acted: subject, role and municipality from the signed-in token. */
  actor: ActorSchema,
  /** Ties together everything one request (or one chain of reactions) caused. */
  correlationId: z.string().min(1),
  /** The id of what caused this event: the request id, or the event a reactor answered. */
  causationId: z.string().min(1),
  /** System time: when the event was recorded. */
  recordedAt: z.iso.datetime({ offset: true }),
  /** Business time, where it differs from the day it was recorded (a signature made last week). */
  occurredAt: z.iso.date().optional(),
  /** The lifecycle machine version the stream is replayed under. */
  machineVersion: z.number().int().positive(),
  /** The version of the event's data shape; older versions are upcast on read. */
  schemaVersion: z.number().int().positive(),
  /** The command that produced the event. */
  commandType: z.enum(COMMAND_TYPES),
  /** The client's `Idempotency-Key`, when it sent one. */
  idempotencyKey: z.string().min(1).optional(),
});
export type EventMetadata = z.infer<typeof EventMetadataSchema>;
