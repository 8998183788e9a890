import { decodeAgreementEvent, UnreadableEventError } from '@twinning/agreements';
import { fromAgreementStreamId } from '@twinning/domain';
import type { EventStore, RecordedEvent } from '@twinning/event-store';
import type { SqlQueryable } from '@twinning/sql';
import { DELIVERIES_CHANNEL } from './webhook-schema.js';
import { partiesOf, webhookMessageOf, type WebhookMessage } from './webhook-payload.js';

/** Only agreement streams produce webhooks. */
export const AGREEMENT_STREAM_PREFIX = 'agreement-';

/** The checkpoint of the log follower, the one writer of deliveries for new events. */
export const FOLLOWER_CHECKPOINT = 'follower';

/** The two cities of an agreement when the proposal was never seen (a log read from the middle). */
export type PartiesLookup = (streamId: string) => Promise<readonly string[] | undefined>;

export const partiesFromStore =
  (store: EventStore): PartiesLookup =>
  async (streamId) => {
    for await (const first of store.readStream(streamId, { maxCount: 1 })) {
      try {
        return partiesOf(decodeAgreementEvent(first));
      } catch (error) {
        if (error instanceof UnreadableEventError) return undefined;
        throw error;
      }
    }
    return undefined;
  };

export interface RecordDeliveriesOptions {
  readonly now: Date;
  /** Back-fill: record for this endpoint only. */
  readonly onlyEndpointId?: string;
  readonly lookupParties: PartiesLookup;
  /** An event that cannot be read as an agreement event: it is skipped, never retried forever. */
  readonly onUnreadable?: (event: RecordedEvent, error: UnreadableEventError) => void;
}

interface MatchableEndpoint {
  id: string;
  event_types: string[] | null;
  city_ids: string[] | null;
}

const matches = (
  endpoint: MatchableEndpoint,
  message: WebhookMessage,
  parties: readonly string[] | undefined,
): boolean =>
  (endpoint.event_types === null || endpoint.event_types.includes(message.type)) &&
  (endpoint.city_ids === null ||
    (parties !== undefined && parties.some((cityId) => endpoint.city_ids?.includes(cityId))));

/**
 * Records, inside the caller's transaction, one delivery per event and matching endpoint. Unique
 * per endpoint and event, so recording the same events again (a follower restarted after a crash,
 * a back-fill over delivered events) adds nothing. Paused endpoints collect deliveries to send on
 * resume; disabled ones get none. Returns how many deliveries were added.
 */
export const recordDeliveries = async (
  tx: SqlQueryable,
  events: readonly RecordedEvent[],
  options: RecordDeliveriesOptions,
): Promise<number> => {
  const readable: { message: WebhookMessage; parties: readonly string[] | undefined }[] = [];
  const newParties = new Map<string, readonly string[]>();
  for (const recorded of events) {
    if (!fromAgreementStreamId(recorded.streamId).ok) continue;
    let message: WebhookMessage;
    let parties: readonly string[] | undefined;
    try {
      const stored = decodeAgreementEvent(recorded);
      message = webhookMessageOf(stored, recorded.streamId);
      parties = partiesOf(stored);
    } catch (error) {
      if (!(error instanceof UnreadableEventError)) throw error;
      options.onUnreadable?.(recorded, error);
      continue;
    }
    if (parties !== undefined) newParties.set(recorded.streamId, parties);
    readable.push({ message, parties });
  }
  if (newParties.size > 0) {
    await tx.query(
      `INSERT INTO webhook_agreement_parties (stream_id, city_ids)
       SELECT stream_id, string_to_array(city_ids, ',')
         FROM unnest($1::text[], $2::text[]) AS p (stream_id, city_ids)
       ON CONFLICT (stream_id) DO NOTHING`,
      [[...newParties.keys()], [...newParties.values()].map((cities) => cities.join(','))],
    );
  }

  const { rows: endpoints } = await tx.query<MatchableEndpoint>(
    `SELECT id, event_types, city_ids FROM webhook_endpoints
      WHERE status <> 'disabled' AND ($1::uuid IS NULL OR id = $1::uuid)`,
    [options.onlyEndpointId ?? null],
  );
  if (endpoints.length === 0 || readable.length === 0) return 0;

  const parties = new Map(newParties);
  if (endpoints.some((endpoint) => endpoint.city_ids !== null)) {
    const unknown = [
      ...new Set(readable.map(({ message }) => message.streamId).filter((id) => !parties.has(id))),
    ];
    if (unknown.length > 0) {
      const { rows } = await tx.query<{ stream_id: string; city_ids: string[] }>(
        'SELECT stream_id, city_ids FROM webhook_agreement_parties WHERE stream_id = ANY($1::text[])',
        [unknown],
      );
      for (const row of rows) parties.set(row.stream_id, row.city_ids);
      for (const streamId of unknown.filter((id) => !parties.has(id))) {
        const found = await options.lookupParties(streamId);
        if (found !== undefined) parties.set(streamId, found);
      }
    }
  }

  const messages = new Map<string, WebhookMessage>();
  const deliveries: { endpointId: string; message: WebhookMessage }[] = [];
  for (const { message } of readable) {
    for (const endpoint of endpoints) {
      if (!matches(endpoint, message, parties.get(message.streamId))) continue;
      messages.set(message.eventId, message);
      deliveries.push({ endpointId: endpoint.id, message });
    }
  }
  if (deliveries.length === 0) return 0;

  const stored = [...messages.values()];
  await tx.query(
    `INSERT INTO webhook_messages (event_id, position, stream_id, webhook_type, body)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      stored.map((message) => message.eventId),
      stored.map((message) => message.position.toString()),
      stored.map((message) => message.streamId),
      stored.map((message) => message.type),
      stored.map((message) => message.body),
    ],
  );
  const inserted = await tx.query(
    `INSERT INTO webhook_deliveries
       (endpoint_id, event_id, position, stream_id, status, next_attempt_at, created_at)
     SELECT endpoint_id, event_id, position, stream_id, 'pending', $5, $5
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[])
         AS d (endpoint_id, event_id, position, stream_id)
     ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
    [
      deliveries.map((delivery) => delivery.endpointId),
      deliveries.map((delivery) => delivery.message.eventId),
      deliveries.map((delivery) => delivery.message.position.toString()),
      deliveries.map((delivery) => delivery.message.streamId),
      options.now,
    ],
  );
  if (inserted.rowCount > 0) await notifyDispatchers(tx);
  return inserted.rowCount;
};

/** Wakes every dispatcher listening; delivered at commit, dropped on rollback. */
export const notifyDispatchers = async (tx: SqlQueryable): Promise<void> => {
  await tx.query('SELECT pg_notify($1, $2)', [DELIVERIES_CHANNEL, '']);
};

export const readCheckpoint = async (
  q: SqlQueryable,
  name: string = FOLLOWER_CHECKPOINT,
): Promise<bigint | undefined> => {
  const { rows } = await q.query<{ position: string }>(
    'SELECT position FROM webhook_checkpoints WHERE name = $1',
    [name],
  );
  const row = rows[0];
  return row === undefined ? undefined : BigInt(row.position);
};

export const writeCheckpoint = async (
  tx: SqlQueryable,
  position: bigint,
  now: Date,
  name: string = FOLLOWER_CHECKPOINT,
): Promise<void> => {
  await tx.query(
    `INSERT INTO webhook_checkpoints (name, position, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET position = GREATEST(webhook_checkpoints.position, EXCLUDED.position),
                                      updated_at = EXCLUDED.updated_at`,
    [name, position, now],
  );
};
