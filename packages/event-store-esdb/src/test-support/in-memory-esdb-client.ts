import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendExpectedRevision,
  AppendResult,
  EventData,
  Filter,
  Position,
  ReadPosition,
  ReadRevision,
  StreamingRead,
} from '@eventstore/db-client';
import {
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { EsdbClient } from '../esdb-event-store.js';

/**
 * A stand-in for an EventStoreDB server behind the 6.x client, for unit tests of the adapter's
 * own logic. It keeps the server behaviours the adapter relies on: events have their own log
 * position (commit = prepare), forward `$all` reads include the start position and backward
 * ones exclude it, a subscription from a position skips the first event at or after it, filtered
 * subscriptions send checkpoints and a caught-up message, and a missing stream fails the read.
 */

interface StoredEvent {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly revision: bigint;
  readonly position: bigint;
  readonly created: Date;
}

interface ReadAllArguments {
  readonly fromPosition?: ReadPosition;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number | bigint;
}

interface ReadStreamArguments {
  readonly fromRevision?: ReadRevision;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number | bigint;
}

interface SubscribeArguments {
  readonly fromPosition?: ReadPosition;
  readonly filter?: Filter;
}

interface LiveSubscription {
  readonly stream: Readable & AllStreamSubscription;
  readonly filter: Filter | undefined;
  considered: number;
}

const recordSize = 137n;

const resolved = (event: StoredEvent): AllStreamResolvedEvent => ({
  event: {
    streamId: event.streamId,
    id: event.id,
    isJson: true,
    revision: event.revision,
    type: event.type,
    created: event.created,
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as Record<string, unknown>,
    position: { commit: event.position, prepare: event.position },
  },
  commitPosition: event.position,
});

const passes = (filter: Filter | undefined, event: StoredEvent): boolean => {
  if (filter === undefined) return true;
  const subject = filter.filterOn === 'streamName' ? event.streamId : event.type;
  if ('prefixes' in filter) return filter.prefixes.some((prefix) => subject.startsWith(prefix));
  return new RegExp(filter.regex).test(subject);
};

export class InMemoryEsdbClient {
  readonly log: StoredEvent[] = [];
  private nextPosition = 1_000n;
  private readonly live = new Set<LiveSubscription>();
  /** Set to make the next appends fail as if the server were gone. */
  unavailable = false;
  /** Whether subscriptions send the caught-up message (servers before 23.10 do not). */
  sendsCaughtUp = true;
  /** Whether filtered subscriptions send checkpoints of their own. */
  sendsCheckpoints = true;
  subscribeCalls: ReadPosition[] = [];
  disposed = false;

  asClient(): EsdbClient {
    return this as unknown as EsdbClient;
  }

  /** Writes an event the way ESDB itself or another application would, bypassing the adapter. */
  writeRaw(
    streamId: string,
    type: string,
    data: unknown,
    metadata: unknown = {},
    id: string = randomUUID(),
  ): StoredEvent {
    const revision = this.lastRevision(streamId);
    const event: StoredEvent = {
      streamId,
      id,
      type,
      data,
      metadata,
      revision: revision === undefined ? 0n : revision + 1n,
      position: this.nextPosition,
      created: new Date(),
    };
    this.nextPosition += recordSize;
    this.log.push(event);
    this.publish(event);
    return event;
  }

  appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: { expectedRevision?: AppendExpectedRevision } = {},
  ): Promise<AppendResult> {
    if (this.unavailable) {
      return Promise.reject(new UnavailableError(undefined, 'No connection established'));
    }
    const expected = options.expectedRevision ?? 'any';
    const current = this.lastRevision(streamName);
    const satisfied =
      expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      (typeof expected === 'bigint' && current === expected);
    if (!satisfied) {
      return Promise.reject(
        new WrongExpectedVersionError(undefined, {
          streamName,
          expected,
          current: current ?? 'no_stream',
        }),
      );
    }
    let last: StoredEvent | undefined;
    for (const event of Array.isArray(events) ? events : [events]) {
      // What goes over the wire is JSON text.
      last = this.writeRaw(
        streamName,
        event.type,
        JSON.parse(JSON.stringify(event.data)),
        JSON.parse(JSON.stringify(event.metadata ?? {})),
        event.id.toLowerCase(),
      );
    }
    return Promise.resolve({
      success: true,
      nextExpectedRevision: last?.revision ?? current ?? -1n,
      ...(last === undefined
        ? {}
        : { position: { commit: last.position, prepare: last.position } }),
    });
  }

  readStream(streamName: string, options: ReadStreamArguments = {}): StreamingRead<unknown> {
    const stream = this.streamingRead();
    const events = this.log.filter((event) => event.streamId === streamName);
    if (events.length === 0) {
      process.nextTick(() => stream.destroy(new StreamNotFoundError(undefined, streamName)));
      return stream;
    }
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const from = options.fromRevision ?? (forwards ? 'start' : 'end');
    const ordered = forwards ? events : [...events].reverse();
    const selected = ordered.filter((event) =>
      from === 'start' || from === 'end'
        ? true
        : forwards
          ? event.revision >= from
          : event.revision <= from,
    );
    this.emitAll(
      stream,
      selected.slice(0, Number(options.maxCount ?? selected.length)),
      (event) => ({
        event: resolved(event).event,
      }),
    );
    return stream;
  }

  readAll(options: ReadAllArguments = {}): StreamingRead<AllStreamResolvedEvent> {
    const stream = this.streamingRead();
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const from = options.fromPosition ?? (forwards ? 'start' : 'end');
    const ordered = forwards ? this.log : [...this.log].reverse();
    const selected = ordered.filter((event) => {
      if (from === 'start' || from === 'end') return true;
      return forwards ? event.position >= from.commit : event.position < from.commit;
    });
    this.emitAll(stream, selected.slice(0, Number(options.maxCount ?? selected.length)), resolved);
    return stream;
  }

  subscribeToAll(options: SubscribeArguments = {}): AllStreamSubscription {
    this.subscribeCalls.push(options.fromPosition ?? 'start');
    const stream = new Readable({ objectMode: true, read: () => undefined }) as Readable &
      AllStreamSubscription;
    const subscription: LiveSubscription = { stream, filter: options.filter, considered: 0 };
    Object.assign(stream, {
      unsubscribe: () => {
        this.live.delete(subscription);
        return Promise.resolve();
      },
    });
    const from = options.fromPosition ?? 'start';
    process.nextTick(() => {
      if (from !== 'end') {
        let history = this.log;
        if (from !== 'start') {
          const skipped = history.findIndex((event) => event.position >= from.commit);
          history = skipped === -1 ? [] : history.slice(skipped + 1);
        }
        for (const event of history) this.deliver(subscription, event);
      }
      this.live.add(subscription);
      if (this.sendsCaughtUp) stream.emit('caughtUp');
    });
    return stream;
  }

  /** Ends every open subscription with the error a lost connection gives. */
  dropSubscriptions(): void {
    for (const subscription of this.live) {
      this.live.delete(subscription);
      subscription.stream.destroy(new UnavailableError(undefined, 'Connection dropped'));
    }
  }

  dispose(): Promise<void> {
    this.disposed = true;
    return Promise.resolve();
  }

  private lastRevision(streamId: string): bigint | undefined {
    return this.log.findLast((event) => event.streamId === streamId)?.revision;
  }

  private deliver(subscription: LiveSubscription, event: StoredEvent): void {
    const { filter, stream } = subscription;
    if (passes(filter, event)) stream.push(resolved(event));
    subscription.considered += 1;
    if (this.sendsCheckpoints && filter?.checkpointReached !== undefined) {
      const spacing = (filter.maxSearchWindow ?? 32) * filter.checkpointInterval;
      if (subscription.considered % spacing === 0) {
        const position: Position = { commit: event.position, prepare: event.position };
        void filter.checkpointReached(stream, position);
      }
    }
  }

  private publish(event: StoredEvent): void {
    for (const subscription of this.live) this.deliver(subscription, event);
  }

  private streamingRead(): Readable & { cancel(): Promise<void> } {
    const stream = new Readable({ objectMode: true, read: () => undefined });
    return Object.assign(stream, {
      cancel: () => {
        stream.destroy();
        return Promise.resolve();
      },
    });
  }

  private emitAll<T>(
    stream: Readable,
    events: StoredEvent[],
    toItem: (event: StoredEvent) => T,
  ): void {
    process.nextTick(() => {
      for (const event of events) stream.push(toItem(event));
      stream.push(null);
    });
  }
}
