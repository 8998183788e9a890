import { GENESIS_HASH, type JsonObject, type RecordedEvent } from '@twinning/event-store';
import { z } from 'zod';
import type { ChainBreak } from './chain-break.js';
import { checkEventLink, type StreamLink } from './chain-verification.js';
import { nextDigest } from './log-digest.js';

const jsonObject = z.record(z.string(), z.json()).transform((value) => value as JsonObject);
const decimal = z.string().regex(/^\d+$/).transform(BigInt);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const ExportedEventSchema = z.object({
  record: z.literal('event'),
  position: decimal,
  streamId: z.string().min(1),
  revision: decimal,
  eventId: z.string(),
  type: z.string().min(1),
  data: jsonObject,
  metadata: jsonObject,
  storedAt: z.iso.datetime({ offset: true }),
  prevHash: hex64,
  hash: hex64,
});

const TrailerSchema = z.object({
  record: z.literal('trailer'),
  scope: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('stream'), streamId: z.string() }),
    z.object({ kind: z.literal('recorded_between'), from: z.string(), to: z.string() }),
  ]),
  events: z.number().int().nonnegative(),
  exportDigest: hex64,
});

const ExportLineSchema = z.discriminatedUnion('record', [
  ExportedEventSchema,
  TrailerSchema.loose(),
]);

export interface ExportCheck {
  readonly events: number;
  readonly firstBreak: ChainBreak | undefined;
  /** Anything else wrong: unreadable lines, a missing or disagreeing trailer. */
  readonly problems: readonly string[];
  readonly exportDigest: string;
  readonly ok: boolean;
}

/**
 * Checks an NDJSON export offline, by the procedure in docs/audit.md: every event's hash from its
 * content, every link between consecutive revisions of a stream, and the trailer's count and
 * digest. A stream's first event in a time-range export may link to an event outside the range;
 * that one link is not checkable from the export alone and is taken as given.
 */
export const checkNdjsonExport = async (
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<ExportCheck> => {
  const problems: string[] = [];
  const links = new Map<string, StreamLink>();
  const firstRevisions = new Map<string, bigint>();
  let digest = GENESIS_HASH;
  let events = 0;
  let firstBreak: ChainBreak | undefined;
  let trailer: z.infer<typeof TrailerSchema> | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(line);
    } catch {
      problems.push(`line ${lineNumber}: not JSON`);
      continue;
    }
    const parsed = ExportLineSchema.safeParse(parsedJson);
    if (!parsed.success) {
      problems.push(
        `line ${lineNumber}: ${parsed.error.issues[0]?.message ?? 'unexpected record'}`,
      );
      continue;
    }
    if (trailer !== undefined) problems.push(`line ${lineNumber}: a record after the trailer`);
    if (parsed.data.record === 'trailer') {
      trailer = parsed.data;
      continue;
    }
    const row = parsed.data;
    const event: RecordedEvent = {
      id: row.eventId,
      streamId: row.streamId,
      type: row.type,
      data: row.data,
      metadata: row.metadata,
      revision: row.revision,
      position: row.position,
      storedAt: new Date(row.storedAt),
      prevHash: row.prevHash,
      hash: row.hash,
    };
    events += 1;
    const previous =
      links.get(event.streamId) ??
      // The link into a range from before it is outside the export.
      (event.revision > 0n
        ? { revision: event.revision - 1n, hash: event.prevHash, position: -1n }
        : undefined);
    const fault = checkEventLink(event, previous);
    if (fault !== undefined) firstBreak ??= fault;
    if (!firstRevisions.has(event.streamId)) firstRevisions.set(event.streamId, event.revision);
    links.set(event.streamId, {
      revision: event.revision,
      hash: event.hash,
      position: event.position,
    });
    digest = nextDigest(digest, event.hash);
  }
  if (trailer === undefined) {
    problems.push('no trailer: the export is incomplete');
  } else {
    if (trailer.events !== events) {
      problems.push(`the trailer counts ${trailer.events} events, the export holds ${events}`);
    }
    if (trailer.exportDigest !== digest) {
      problems.push(`the trailer's digest is ${trailer.exportDigest}, the events give ${digest}`);
    }
    if (trailer.scope.kind === 'stream') {
      const first = firstRevisions.get(trailer.scope.streamId);
      if (links.size > 1 || (events > 0 && first === undefined)) {
        problems.push(
          `a stream export holds events of other streams than ${trailer.scope.streamId}`,
        );
      }
      if (first !== undefined && first !== 0n) {
        problems.push(`the stream export starts at revision ${first.toString()}, not 0`);
      }
    }
  }
  return {
    events,
    firstBreak,
    problems,
    exportDigest: digest,
    ok: firstBreak === undefined && problems.length === 0,
  };
};
