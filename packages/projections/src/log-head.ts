import type { EventFilter, EventStore } from '@twinning/event-store';
import type { ProjectionLag } from './runner-types.js';

const headRefreshMs = 1_000;
const lagSampleSize = 500;

/**
 * The first and last positions of the event log, refreshed at most once a second however many
 * builds ask: progress is measured by where a build's checkpoint sits between them.
 */
export class LogHead {
  private first: bigint | undefined;
  private head: bigint | undefined;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly store: EventStore) {}

  get firstPosition(): bigint | undefined {
    return this.first;
  }

  get headPosition(): bigint | undefined {
    return this.head;
  }

  /** Reads the head again unless it was read within the last second. */
  async refresh(): Promise<void> {
    if (performance.now() - this.refreshedAt < headRefreshMs) return;
    this.refreshing ??= (async () => {
      try {
        for await (const event of this.store.readAll({ direction: 'backwards', maxCount: 1 })) {
          this.head = event.position;
        }
        if (this.first === undefined && this.head !== undefined) {
          for await (const event of this.store.readAll({ maxCount: 1 })) {
            this.first = event.position;
          }
        }
        this.refreshedAt = performance.now();
      } finally {
        this.refreshing = undefined;
      }
    })();
    await this.refreshing;
  }

  /** 0..1: how far `position` is from the first event to the head. */
  ratioOf(position: bigint | undefined): number {
    if (this.head === undefined || this.first === undefined) return 1;
    if (position === undefined) return 0;
    if (position >= this.head) return 1;
    const span = this.head - this.first;
    if (span <= 0n) return 1;
    const done = position - this.first;
    return done <= 0n ? 0 : Number((done * 10_000n) / span) / 10_000;
  }

  /**
   * Events after `position` that a projection with this filter will be given. Counted up to a
   * sample size; past it, extrapolated from how densely the sample filled its share of positions
   * (global positions are not dense, so their difference alone does not count events).
   */
  async lagAfter(
    position: bigint | undefined,
    filter: EventFilter | undefined,
    now: Date,
  ): Promise<ProjectionLag> {
    let events = 0;
    let oldest: Date | undefined;
    let last: bigint | undefined;
    for await (const event of this.store.readAll({
      ...(position === undefined ? {} : { fromPosition: position + 1n }),
      maxCount: lagSampleSize,
      ...(filter === undefined ? {} : { filter }),
    })) {
      events += 1;
      oldest ??= event.storedAt;
      last = event.position;
    }
    const seconds =
      oldest === undefined ? 0 : Math.max(0, (now.getTime() - oldest.getTime()) / 1000);
    if (events < lagSampleSize || last === undefined || this.head === undefined) {
      return { events, exact: true, seconds };
    }
    const from = position ?? this.first ?? 0n;
    const sampled = last - from;
    const remaining = this.head - from;
    if (sampled <= 0n || remaining <= sampled) return { events, exact: false, seconds };
    const estimate = Math.round(events * (Number(remaining) / Number(sampled)));
    return { events: estimate, exact: false, seconds };
  }
}
