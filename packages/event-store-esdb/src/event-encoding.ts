import type { JSONEventData, RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import { jsonEvent } from '@eventstore/db-client';
import { chainHash } from '@twinning/event-store';
import type { EventToAppend, JsonObject, RecordedEvent } from '@twinning/event-store';
import { fromEsdbCommitPosition, fromEsdbPosition } from './position.js';

/**
 * ESDB events have no columns besides data and metadata, so the hash chain rides in the metadata
 * under this key, next to the port's own metadata, and is taken out again on read. The `$` keeps
 * it apart from application keys, as ESDB does with its own (`$correlationId`, `$causationId`).
 */
export const chainMetadataKey = '$twinning';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hashPattern = /^[0-9a-f]{64}$/;

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array);

/** ESDB hands event ids back in lower case; ids are compared the same way. */
export const normaliseEventId = (id: string): string => id.toLowerCase();

/** Rejects what the server would refuse or what could not be read back as the same event. */
export const validateEventToAppend = (event: EventToAppend): void => {
  if (typeof event.id !== 'string' || !uuidPattern.test(event.id)) {
    throw new TypeError(`event id must be a uuid, got ${JSON.stringify(event.id)}`);
  }
  if (typeof event.type !== 'string' || event.type.length === 0) {
    throw new TypeError(`event ${event.id}: type must be a non-empty string`);
  }
  if (event.type.startsWith('$')) {
    throw new TypeError(`event ${event.id}: types starting with "$" are reserved by EventStoreDB`);
  }
  if (!isJsonObject(event.data)) {
    throw new TypeError(`event ${event.id}: data must be a JSON object`);
  }
  if (!isJsonObject(event.metadata)) {
    throw new TypeError(`event ${event.id}: metadata must be a JSON object`);
  }
  if (Object.hasOwn(event.metadata, chainMetadataKey)) {
    throw new TypeError(`event ${event.id}: metadata key "${chainMetadataKey}" is reserved`);
  }
};

export interface EncodedEvent {
  readonly eventData: JSONEventData;
  readonly hash: string;
}

/** The event as the client appends it, with its place in the stream's hash chain. */
export const encodeEvent = (
  streamId: string,
  revision: bigint,
  prevHash: string,
  event: EventToAppend,
): EncodedEvent => {
  const hash = chainHash(prevHash, {
    streamId,
    revision,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
  const eventData = jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata, [chainMetadataKey]: { prevHash, hash } },
  });
  return { eventData, hash };
};

export type DecodeResult =
  | { readonly ok: true; readonly event: RecordedEvent }
  | { readonly ok: false; readonly reason: string };

/**
 * A stored event back as the port's `RecordedEvent`. Events this adapter did not write (binary,
 * non-object JSON, no chain metadata) are reported, not guessed at. `commitPosition` is the
 * position the server sends beside the event on `$all` reads, used when the record has none.
 */
export const decodeRecordedEvent = (
  recorded: EsdbRecordedEvent,
  commitPosition?: bigint,
): DecodeResult => {
  if (!recorded.isJson) return { ok: false, reason: 'data is not JSON' };
  const data: unknown = recorded.data;
  if (!isJsonObject(data)) return { ok: false, reason: 'data is not a JSON object' };
  const storedMetadata: unknown = recorded.metadata;
  if (!isJsonObject(storedMetadata)) return { ok: false, reason: 'metadata is not a JSON object' };
  const { [chainMetadataKey]: chain, ...metadata } = storedMetadata;
  if (!isJsonObject(chain)) return { ok: false, reason: 'no hash-chain metadata' };
  const { prevHash, hash } = chain;
  if (typeof prevHash !== 'string' || !hashPattern.test(prevHash)) {
    return { ok: false, reason: 'malformed prevHash' };
  }
  if (typeof hash !== 'string' || !hashPattern.test(hash)) {
    return { ok: false, reason: 'malformed hash' };
  }
  const position = fromEsdbPosition(recorded.position) ?? fromEsdbCommitPosition(commitPosition);
  if (position === undefined) {
    return { ok: false, reason: 'the server sent no position (EventStoreDB 22.6 or later needed)' };
  }
  return {
    ok: true,
    event: {
      id: normaliseEventId(recorded.id),
      streamId: recorded.streamId,
      type: recorded.type,
      data,
      metadata,
      revision: recorded.revision,
      position,
      storedAt: recorded.created,
      prevHash,
      hash,
    },
  };
};
