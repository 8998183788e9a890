/**
 * Pages of the log read once for every subscription of a store that reads them.
 *
 * Projections hosted in one process subscribe to the same log with the same filter, each from its
 * own checkpoint; while they catch up (a rebuild above all) they read the same pages within a
 * short time of each other. A full page of a subscription lies wholly below the safe horizon, so
 * it never changes: it is kept here, and the next subscription to ask for it gets the very same
 * events, fetched and parsed once.
 *
 * At most `capacity` pages are kept. Before the subscription ahead reads a new page that would
 * push out the page a slower subscription is about to read, it waits for that one to move on, up
 * to `maxWaitMs` a page, so that a stalled subscription slows the others only a little.
 */

/** One subscription's place, as the pages it asks for show it. */
export interface PageReader {
  readonly group: string;
  /** The position after which the reader's next page starts. */
  after: bigint;
  /** It is reading full pages, i.e. catching up; live readers hold nobody back. */
  catchingUp: boolean;
}

export interface PageOf<Item> {
  readonly items: readonly Item[];
  /** The page was full: it lies below the safe horizon and is final. */
  readonly full: boolean;
}

interface Kept<Item> {
  readonly group: string;
  readonly after: bigint;
  readonly page: Promise<PageOf<Item>>;
}

export interface SharedPagesOptions {
  readonly capacity: number;
  readonly maxWaitMs: number;
}

export class SharedPages<Item> {
  /** In the order read: the first is the oldest. */
  private readonly kept = new Map<string, Kept<Item>>();
  private readonly readers = new Set<PageReader>();
  private waiting: (() => void)[] = [];

  constructor(private readonly options: SharedPagesOptions) {}

  join(group: string, after: bigint): PageReader {
    const reader: PageReader = { group, after, catchingUp: true };
    this.readers.add(reader);
    return reader;
  }

  leave(reader: PageReader): void {
    this.readers.delete(reader);
    this.wakeWaiting();
  }

  /** The page after `after` for `reader`: kept, being read for another reader, or read now. */
  async page(
    reader: PageReader,
    after: bigint,
    read: () => Promise<PageOf<Item>>,
  ): Promise<PageOf<Item>> {
    reader.after = after;
    this.wakeWaiting();
    const key = `${reader.group}\u0000${after}`;
    const known = this.kept.get(key);
    if (known !== undefined) return this.settled(reader, await known.page);
    await this.makeRoom(reader);
    // Asked for meanwhile by another reader?
    const meanwhile = this.kept.get(key);
    if (meanwhile !== undefined) return this.settled(reader, await meanwhile.page);
    const page = read();
    this.kept.set(key, { group: reader.group, after, page });
    this.trim();
    try {
      const result = await page;
      // Only full pages are final; a partial one may grow.
      if (!result.full) this.kept.delete(key);
      return this.settled(reader, result);
    } catch (error) {
      this.kept.delete(key);
      throw error;
    }
  }

  private settled(reader: PageReader, page: PageOf<Item>): PageOf<Item> {
    reader.catchingUp = page.full;
    return page;
  }

  /** Waits while the oldest kept page is still to be read by another reader catching up. */
  private async makeRoom(reader: PageReader): Promise<void> {
    const deadline = performance.now() + this.options.maxWaitMs;
    while (this.kept.size >= this.options.capacity && this.oldestIsNeeded(reader)) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * Whether a reader catching up is about to read the oldest kept page: pushing it out would make
   * that reader read it again. A reader further behind than every kept page gains nothing from
   * them and holds nobody back.
   */
  private oldestIsNeeded(reader: PageReader): boolean {
    const oldest = this.kept.values().next();
    if (oldest.done === true) return false;
    const { group, after } = oldest.value;
    for (const other of this.readers) {
      if (other !== reader && other.group === group && other.catchingUp && other.after === after) {
        return true;
      }
    }
    return false;
  }

  private trim(): void {
    while (this.kept.size > this.options.capacity) {
      const oldest = this.kept.keys().next();
      if (oldest.done === true) return;
      this.kept.delete(oldest.value);
    }
  }

  private wakeWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}
