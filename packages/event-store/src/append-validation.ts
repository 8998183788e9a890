import type { AppendOptions, EventToAppend, ExpectedRevision } from './types.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isJsonObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isExpectedRevision = (value: unknown): value is ExpectedRevision =>
  value === 'any' ||
  value === 'no_stream' ||
  value === 'stream_exists' ||
  (typeof value === 'bigint' && value >= 0n);

/**
 * Rejects an append no store could accept, before any I/O, with a `TypeError` naming the
 * problem. Every adapter calls it so bad input fails the same way everywhere.
 */
export const assertValidAppend = (
  streamId: string,
  events: readonly EventToAppend[],
  options: AppendOptions,
): void => {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new TypeError('streamId must be a non-empty string');
  }
  if (!isExpectedRevision(options.expectedRevision)) {
    throw new TypeError(
      `expectedRevision must be 'any', 'no_stream', 'stream_exists' or a non-negative bigint`,
    );
  }
  if (events.length === 0) throw new TypeError('an append needs at least one event');
  const ids = new Set<string>();
  for (const event of events) {
    if (!uuidPattern.test(event.id)) {
      throw new TypeError(`event id ${JSON.stringify(event.id)} is not a uuid`);
    }
    const id = event.id.toLowerCase();
    if (ids.has(id)) throw new TypeError(`event id ${event.id} appears twice in one append`);
    ids.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`event ${event.id} has no type`);
    }
    if (!isJsonObject(event.data) || !isJsonObject(event.metadata)) {
      throw new TypeError(`event ${event.id}: data and metadata must be JSON objects`);
    }
  }
};
