import type { StoredAgreementEvent } from '@twinning/agreements';
import { businessDateOf } from '@twinning/agreements';
import { fromAgreementStreamId, type CityId } from '@twinning/domain';
import { WEBHOOK_TYPE_OF_EVENT, type WebhookEventType } from './event-types.js';

/** The body of every webhook request, in the Standard Webhooks shape `{ type, timestamp, data }`. */
export interface WebhookPayload {
  readonly type: WebhookEventType;
  /** When the event was stored (ISO 8601). */
  readonly timestamp: string;
  readonly data: {
    readonly eventId: string;
    /** The internal event type, for consumers that map events themselves. */
    readonly eventType: string;
    readonly agreementId: string;
    /** 0-based revision in the agreement's stream: consecutive, so a gap means a missed event. */
    readonly streamRevision: string;
    /** Position in the global log; increases with every event, not necessarily by one. */
    readonly globalPosition: string;
    /** The day the recorded act took place (business time). */
    readonly businessDate: string;
    readonly recordedAt: string;
    readonly schemaVersion: number;
    /** The event's own data, upcast to today's schema version. */
    readonly event: unknown;
  };
}

/** A webhook message: what is sent for one event, whatever the endpoint. */
export interface WebhookMessage {
  readonly eventId: string;
  readonly streamId: string;
  readonly position: bigint;
  readonly type: WebhookEventType;
  /** The serialised payload; stored once so every attempt and replay signs the same bytes. */
  readonly body: string;
}

export const webhookMessageOf = (
  stored: StoredAgreementEvent,
  streamId: string,
): WebhookMessage => {
  const agreementId = fromAgreementStreamId(streamId);
  const type = WEBHOOK_TYPE_OF_EVENT[stored.event.type];
  const payload: WebhookPayload = {
    type,
    timestamp: stored.storedAt.toISOString(),
    data: {
      eventId: stored.id,
      eventType: stored.event.type,
      agreementId: agreementId.ok ? agreementId.value : streamId,
      streamRevision: stored.revision.toString(),
      globalPosition: stored.position.toString(),
      businessDate: businessDateOf(stored.event),
      recordedAt: stored.metadata.recordedAt,
      schemaVersion: stored.metadata.schemaVersion,
      event: stored.event.data,
    },
  };
  return {
    eventId: stored.id,
    streamId,
    position: stored.position,
    type,
    body: JSON.stringify(payload),
  };
};

/** The two cities of an agreement, known from its proposal; `undefined` for any other event. */
export const partiesOf = (stored: StoredAgreementEvent): readonly CityId[] | undefined =>
  stored.event.type === 'AgreementProposed'
    ? [stored.event.data.proposer.cityId, stored.event.data.partner.cityId]
    : undefined;

/** The `webhook-id` of an event's message: the same on every attempt and every replay. */
export const webhookIdOf = (eventId: string): string => `msg_${eventId}`;
