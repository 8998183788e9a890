import type { EventFilter, RecordedEvent } from './types.js';

/** Whether an event passes a read or subscription filter; an absent or empty list keeps all. */
export const matchesEventFilter = (
  event: Pick<RecordedEvent, 'streamId' | 'type'>,
  filter: EventFilter | undefined,
): boolean => {
  if (filter === undefined) return true;
  const { streamPrefixes, eventTypes } = filter;
  if (streamPrefixes !== undefined && streamPrefixes.length > 0) {
    if (!streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
  }
  if (eventTypes !== undefined && eventTypes.length > 0) {
    if (!eventTypes.includes(event.type)) return false;
  }
  return true;
};
