import {
  foldEvents,
  initialState,
  toAgreementStreamId,
  upcast,
  type AgreementEvent,
  type AgreementId,
  type AgreementState,
} from '@twinning/domain';
import type { EventStore, EventToAppend, JsonObject, RecordedEvent } from '@twinning/event-store';
import { EventMetadataSchema, type EventMetadata } from './event-metadata.js';

/** An agreement event as read back: upcast to today's shape, with its metadata and place. */
export interface StoredAgreementEvent {
  readonly id: string;
  readonly event: AgreementEvent;
  readonly metadata: EventMetadata;
  readonly revision: bigint;
  readonly position: bigint;
  readonly storedAt: Date;
  readonly prevHash: string;
  readonly hash: string;
}

/** A stored event that cannot be read as an agreement event: the stream and the code disagree. */
export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';
  constructor(
    readonly streamId: string,
    readonly revision: bigint,
    reason: string,
  ) {
    super(`${streamId}@${revision.toString()}: ${reason}`);
  }
}

export const encodeAgreementEvent = (
  id: string,
  event: AgreementEvent,
  metadata: EventMetadata,
): EventToAppend => ({
  id,
  type: event.type,
  // Domain data and metadata are plain JSON by construction (zod-parsed strings, numbers, arrays).
  data: event.data as unknown as JsonObject,
  metadata: metadata as unknown as JsonObject,
});

/**
 * Each recorded event is checked against its schema once: the projections of a process share
 * the events they read, and a recorded event never changes.
 */
const decoded = new WeakMap<RecordedEvent, StoredAgreementEvent>();

export const decodeAgreementEvent = (recorded: RecordedEvent): StoredAgreementEvent => {
  const known = decoded.get(recorded);
  if (known !== undefined) return known;
  const stored = decodeOnce(recorded);
  decoded.set(recorded, stored);
  return stored;
};

const decodeOnce = (recorded: RecordedEvent): StoredAgreementEvent => {
  const metadata = EventMetadataSchema.safeParse(recorded.metadata);
  if (!metadata.success) {
    throw new UnreadableEventError(
      recorded.streamId,
      recorded.revision,
      `metadata does not fit its schema: ${metadata.error.message}`,
    );
  }
  const event = upcast(recorded.type, metadata.data.schemaVersion, recorded.data);
  if (!event.ok) {
    throw new UnreadableEventError(recorded.streamId, recorded.revision, event.error.message);
  }
  return {
    id: recorded.id,
    event: event.value,
    metadata: metadata.data,
    revision: recorded.revision,
    position: recorded.position,
    storedAt: recorded.storedAt,
    prevHash: recorded.prevHash,
    hash: recorded.hash,
  };
};

/** One agreement's stream, read and folded. */
export interface LoadedAgreement {
  readonly agreementId: AgreementId;
  readonly state: AgreementState;
  /** Revision of the last event; `undefined` when the stream does not exist. */
  readonly revision: bigint | undefined;
  readonly events: readonly StoredAgreementEvent[];
}

export const readAgreementEvents = async (
  store: EventStore,
  agreementId: AgreementId,
): Promise<StoredAgreementEvent[]> => {
  const events: StoredAgreementEvent[] = [];
  for await (const recorded of store.readStream(toAgreementStreamId(agreementId))) {
    events.push(decodeAgreementEvent(recorded));
  }
  return events;
};

/** Folds events (in stream order) into the state they lead to. */
export const foldStoredEvents = (events: readonly StoredAgreementEvent[]): AgreementState =>
  foldEvents(
    events.map((stored) => stored.event),
    initialState,
  );

export const loadAgreement = async (
  store: EventStore,
  agreementId: AgreementId,
): Promise<LoadedAgreement> => {
  const events = await readAgreementEvents(store, agreementId);
  return {
    agreementId,
    state: foldStoredEvents(events),
    revision: events.at(-1)?.revision,
    events,
  };
};
