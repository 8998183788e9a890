/**
 * The event store port. Every adapter (in-memory, PostgreSQL/PGlite, EventStoreDB) implements
 * `EventStore` and passes the same contract suite (`@twinning/event-store/contract`).
 *
 * Positions and revisions are `bigint` in code; across JSON they travel as decimal strings.
 */

/** A JSON value as stored in event data and metadata. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What the caller expects of the stream before an append.
 * - `'no_stream'`: the stream must not exist yet.
 * - `'stream_exists'`: the stream must have at least one event.
 * - `'any'`: no check.
 * - a `bigint`: the revision of the stream's last event (revisions count from 0n).
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

/** The revision a stream actually had when a check failed. */
export type ActualRevision = 'no_stream' | bigint;

export interface EventToAppend {
  /** uuid; also the idempotency key: an id already in the stream is never appended twice. */
  readonly id: string;
  /** Past-tense PascalCase domain event type, e.g. `AgreementSigned`. */
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  /** 0-based position of the event inside its stream. */
  readonly revision: bigint;
  /** Position in the store's global order; strictly increasing, not necessarily dense. */
  readonly position: bigint;
  /** When the store committed the event (the store's clock). */
  readonly storedAt: Date;
  /** Hash of the previous event in the stream (`GENESIS_HASH` for revision 0). */
  readonly prevHash: string;
  /** SHA-256 over `prevHash` and the canonical encoding of this event (see `hash-chain.ts`). */
  readonly hash: string;
}

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append: pass it as the next expectedRevision. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event of this append. */
  readonly position: bigint;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive; defaults to 0n forwards and to the last event backwards. */
  readonly fromRevision?: bigint;
  readonly direction?: ReadDirection;
  readonly maxCount?: number;
}

export interface EventFilter {
  /** Keep only events whose stream id starts with one of these prefixes (e.g. `agreement-`). */
  readonly streamPrefixes?: readonly string[];
  /** Keep only events of these types. */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Inclusive; defaults to the start forwards and to the end backwards. */
  readonly fromPosition?: bigint;
  readonly direction?: ReadDirection;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeToAllOptions {
  /**
   * The last position already processed (a checkpoint): delivery starts with the first event
   * after it. `'start'` (the default) delivers every event; `'end'` only events appended later.
   */
  readonly fromPosition?: bigint | 'start' | 'end';
  readonly filter?: EventFilter;
  /**
   * How many events (read or skipped by the filter) between checkpoint messages; lets a filtered
   * subscriber advance its checkpoint across events it does not see. Default 1000.
   */
  readonly checkpointInterval?: number;
}

export type SubscriptionMessage =
  | { readonly type: 'event'; readonly event: RecordedEvent }
  /** Sent once, when the subscription has delivered everything stored when it was caught up. */
  | { readonly type: 'caught-up'; readonly position: bigint | undefined }
  /** Everything up to and including `position` has been considered (delivered or filtered out). */
  | { readonly type: 'checkpoint'; readonly position: bigint };

/** Catch-up then live, in global order. Iterate it; `close()` (or `break`) ends it. */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  /**
   * The same messages in the groups the store has them in: a page of the log read at once, or a
   * single message where the store receives them one by one. A consumer that handles many
   * events at a time then waits once a page rather than once a message. Iterate either the
   * subscription or its pages, not both: they share one position.
   */
  pages(): AsyncIterator<readonly SubscriptionMessage[]>;
  close(): Promise<void>;
}

export interface EventStore {
  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  /** A stream that does not exist reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  /** Whether the store answers; used by readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
