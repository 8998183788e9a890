import type { Filter } from '@eventstore/db-client';
import { eventTypeFilter, excludeSystemEvents, streamNameFilter } from '@eventstore/db-client';
import type { EventFilter } from '@twinning/event-store';

/** ESDB's own streams and events (`$all` bookkeeping, stream metadata, links) start with `$`. */
export const isSystemEvent = (streamId: string, type: string): boolean =>
  streamId.startsWith('$') || type.startsWith('$');

const nonEmpty = (list: readonly string[] | undefined): readonly string[] | undefined =>
  list !== undefined && list.length > 0 ? list : undefined;

/**
 * The port's filter, applied in the client: `readAll` of the 6.x client filters nothing itself.
 * As in the port, an absent or empty list keeps everything; system events never pass.
 */
export const matchesEventFilter = (
  filter: EventFilter | undefined,
  streamId: string,
  type: string,
): boolean => {
  if (isSystemEvent(streamId, type)) return false;
  const streamPrefixes = nonEmpty(filter?.streamPrefixes);
  const eventTypes = nonEmpty(filter?.eventTypes);
  if (
    streamPrefixes !== undefined &&
    !streamPrefixes.some((prefix) => streamId.startsWith(prefix))
  ) {
    return false;
  }
  if (eventTypes !== undefined && !eventTypes.includes(type)) return false;
  return true;
};

// .NET regular expressions, as the server evaluates them, escape these the same way as JavaScript.
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Regex matching exactly these event types; prefixes would let `Signed` match `SignedTwice`. */
export const exactEventTypesRegex = (eventTypes: readonly string[]): string =>
  `^(?:${eventTypes.map(escapeRegex).join('|')})$`;

/** How many events the server reads per filtered page; with the multiplier it sets the spacing. */
const maxSearchWindowCeiling = 500;

export interface ServerFilterOptions {
  readonly filter: EventFilter | undefined;
  /** Port semantics: events considered between checkpoint messages. */
  readonly checkpointInterval: number;
}

/**
 * The server-side filter of a subscription. ESDB filters on one thing only (stream name or event
 * type), so the narrowest the port filter allows is sent and `matchesEventFilter` still runs on
 * every delivered event for the rest (system streams, the other criterion). The server sends a
 * checkpoint every `maxSearchWindow * checkpointInterval` considered events, so the window is
 * sized to make that product the port's `checkpointInterval` (rounded up to a multiple).
 */
export const buildServerFilter = ({ filter, checkpointInterval }: ServerFilterOptions): Filter => {
  if (!Number.isInteger(checkpointInterval) || checkpointInterval < 1) {
    throw new RangeError(
      `checkpointInterval must be a positive integer, got ${checkpointInterval}`,
    );
  }
  const maxSearchWindow = Math.min(checkpointInterval, maxSearchWindowCeiling);
  const spacing = {
    maxSearchWindow,
    checkpointInterval: Math.ceil(checkpointInterval / maxSearchWindow),
  };
  const prefixes = nonEmpty(filter?.streamPrefixes);
  if (prefixes !== undefined && !prefixes.includes('')) {
    return streamNameFilter({ prefixes: [...prefixes], ...spacing });
  }
  const eventTypes = nonEmpty(filter?.eventTypes);
  if (eventTypes !== undefined) {
    return eventTypeFilter({ regex: exactEventTypesRegex(eventTypes), ...spacing });
  }
  return excludeSystemEvents(spacing);
};
