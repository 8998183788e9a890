import { GENESIS_HASH, type RecordedEvent } from '@twinning/event-store';
import { EMPTY_LOG_DIGEST, advanceLogDigest, nextDigest, type LogDigest } from './log-digest.js';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: { readonly [F in ExportFormat]: string } = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
};

export type ExportScope =
  | { readonly kind: 'stream'; readonly streamId: string }
  /** Events with `recordedAt` in `[from, to)` (the store's `storedAt` where an event has none). */
  | { readonly kind: 'recorded_between'; readonly from: Date; readonly to: Date };

/** The last record of every export: what an auditor checks the events against. */
export interface ExportTrailer {
  readonly record: 'trailer';
  readonly scope:
    | { readonly kind: 'stream'; readonly streamId: string }
    | { readonly kind: 'recorded_between'; readonly from: string; readonly to: string };
  readonly events: number;
  readonly firstPosition: string | null;
  readonly lastPosition: string | null;
  /** The digest chain over the exported events' hashes, in export order, from `GENESIS_HASH`. */
  readonly exportDigest: string;
  /**
   * For a time-range export, which reads the whole log: the log digest at the last position
   * read, to compare with one written down earlier (`audit verify --at`). `null` for a stream.
   */
  readonly log: {
    readonly position: string | null;
    readonly events: number;
    readonly digest: string;
  } | null;
  readonly exportedAt: string;
}

export interface ExportedEvent {
  readonly record: 'event';
  readonly position: string;
  readonly streamId: string;
  readonly revision: string;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly storedAt: string;
  readonly prevHash: string;
  readonly hash: string;
}

const recordedAtOf = (event: RecordedEvent): number => {
  const recordedAt = event.metadata['recordedAt'];
  const parsed = typeof recordedAt === 'string' ? Date.parse(recordedAt) : Number.NaN;
  return Number.isNaN(parsed) ? event.storedAt.getTime() : parsed;
};

const inScope = (scope: ExportScope, event: RecordedEvent): boolean => {
  switch (scope.kind) {
    case 'stream':
      return event.streamId === scope.streamId;
    case 'recorded_between': {
      const at = recordedAtOf(event);
      return at >= scope.from.getTime() && at < scope.to.getTime();
    }
    default: {
      const _exhaustive: never = scope;
      return _exhaustive;
    }
  }
};

export const toExportedEvent = (event: RecordedEvent): ExportedEvent => ({
  record: 'event',
  position: event.position.toString(),
  streamId: event.streamId,
  revision: event.revision.toString(),
  eventId: event.id,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  storedAt: event.storedAt.toISOString(),
  prevHash: event.prevHash,
  hash: event.hash,
});

export const CSV_COLUMNS = [
  'record',
  'position',
  'stream_id',
  'revision',
  'event_id',
  'type',
  'stored_at',
  'recorded_at',
  'actor',
  'correlation_id',
  'causation_id',
  'prev_hash',
  'hash',
  'data',
  'metadata',
] as const;

/** RFC 4180: every field quoted, quotes doubled, records ended by CRLF. */
const csvRecord = (fields: readonly string[]): string =>
  `${fields.map((field) => `"${field.replaceAll('"', '""')}"`).join(',')}\r\n`;

const metadataText = (event: RecordedEvent, key: string): string => {
  const value = event.metadata[key];
  return typeof value === 'string' ? value : '';
};

const actorText = (event: RecordedEvent): string => {
  const actor = event.metadata['actor'];
  if (actor === null || typeof actor !== 'object' || Array.isArray(actor)) return '';
  const subject = actor['subject'];
  const role = actor['role'];
  return typeof subject === 'string' && typeof role === 'string' ? `${subject} (${role})` : '';
};

const csvEventRecord = (event: RecordedEvent): string =>
  csvRecord([
    'event',
    event.position.toString(),
    event.streamId,
    event.revision.toString(),
    event.id,
    event.type,
    event.storedAt.toISOString(),
    metadataText(event, 'recordedAt'),
    actorText(event),
    metadataText(event, 'correlationId'),
    metadataText(event, 'causationId'),
    event.prevHash,
    event.hash,
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
  ]);

/** The trailer travels in the `data` column of a row whose `record` is `trailer`. */
const csvTrailerRecord = (trailer: ExportTrailer): string =>
  csvRecord(
    CSV_COLUMNS.map((column) =>
      column === 'record' ? 'trailer' : column === 'data' ? JSON.stringify(trailer) : '',
    ),
  );

export interface ExportOptions {
  readonly format: ExportFormat;
  readonly scope: ExportScope;
  /** When the export was made; stated in the trailer. */
  readonly exportedAt: Date;
  /** Called after each event read (exported or not), for progress. */
  readonly onEvent?: (read: number, exported: number) => void;
  readonly signal?: AbortSignal;
  /** Bytes gathered before a chunk is handed on: fewer, larger writes. Default 64 KiB. */
  readonly chunkBytes?: number;
}

/**
 * Streams an export as text chunks: NDJSON (one JSON object per line) or CSV, events in the
 * order read, then the trailer. Pulls `events` only as fast as the chunks are consumed, so
 * memory stays flat however many events pass through. For `recorded_between`, `events` must be
 * the whole log in global order (`store.readAll()`): the trailer then carries the log digest.
 */
export async function* exportEvents(
  events: AsyncIterable<RecordedEvent>,
  options: ExportOptions,
): AsyncGenerator<string> {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  let chunk = options.format === 'csv' ? csvRecord(CSV_COLUMNS) : '';
  let log: LogDigest = EMPTY_LOG_DIGEST;
  let exportDigest = GENESIS_HASH;
  let exported = 0;
  let read = 0;
  let firstPosition: bigint | undefined;
  let lastPosition: bigint | undefined;
  for await (const event of events) {
    if (options.signal?.aborted === true) return;
    read += 1;
    log = advanceLogDigest(log, event);
    if (inScope(options.scope, event)) {
      exported += 1;
      firstPosition ??= event.position;
      lastPosition = event.position;
      exportDigest = nextDigest(exportDigest, event.hash);
      chunk +=
        options.format === 'csv'
          ? csvEventRecord(event)
          : `${JSON.stringify(toExportedEvent(event))}\n`;
      if (chunk.length >= chunkBytes) {
        yield chunk;
        chunk = '';
      }
    }
    options.onEvent?.(read, exported);
  }
  const trailer: ExportTrailer = {
    record: 'trailer',
    scope:
      options.scope.kind === 'stream'
        ? { kind: 'stream', streamId: options.scope.streamId }
        : {
            kind: 'recorded_between',
            from: options.scope.from.toISOString(),
            to: options.scope.to.toISOString(),
          },
    events: exported,
    firstPosition: firstPosition?.toString() ?? null,
    lastPosition: lastPosition?.toString() ?? null,
    exportDigest,
    log:
      options.scope.kind === 'stream'
        ? null
        : { position: log.position?.toString() ?? null, events: log.events, digest: log.digest },
    exportedAt: options.exportedAt.toISOString(),
  };
  chunk += options.format === 'csv' ? csvTrailerRecord(trailer) : `${JSON.stringify(trailer)}\n`;
  yield chunk;
}
