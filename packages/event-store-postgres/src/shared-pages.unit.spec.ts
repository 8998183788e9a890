import { describe, expect, it } from 'vitest';
import { SharedPages, type PageOf } from './shared-pages.js';

/** A log of pages of `size` positions each; `after` is the last position of the page before. */
const fakeLog = (size: number) => {
  const reads: bigint[] = [];
  const read =
    (after: bigint, full = true) =>
    (): Promise<PageOf<bigint>> => {
      reads.push(after);
      const items = Array.from({ length: size }, (_, index) => after + 1n + BigInt(index));
      return Promise.resolve({ items, full });
    };
  return { reads, read };
};

const pageAfter = (index: number, size: number): bigint => BigInt(index * size);

describe('pages shared between subscriptions', () => {
  it('reads a page once for every reader of the same group, and apart for another group', async () => {
    const pages = new SharedPages<bigint>({ capacity: 4, maxWaitMs: 1_000 });
    const log = fakeLog(3);
    const first = pages.join('agreement-', 0n);
    const second = pages.join('agreement-', 0n);
    const other = pages.join('counter-', 0n);
    const [a, b] = await Promise.all([
      pages.page(first, 0n, log.read(0n)),
      pages.page(second, 0n, log.read(0n)),
    ]);
    expect(a).toBe(b);
    expect(a.items).toEqual([1n, 2n, 3n]);
    await pages.page(other, 0n, log.read(0n));
    expect(log.reads).toEqual([0n, 0n]);
  });

  it('keeps no partial page and no failed read: they are read again', async () => {
    const pages = new SharedPages<bigint>({ capacity: 4, maxWaitMs: 1_000 });
    const log = fakeLog(2);
    const reader = pages.join('g', 0n);
    await pages.page(reader, 0n, log.read(0n, false));
    await pages.page(reader, 0n, log.read(0n, false));
    expect(log.reads).toEqual([0n, 0n]);
    await expect(
      pages.page(reader, 2n, () => Promise.reject(new Error('connection lost'))),
    ).rejects.toThrow('connection lost');
    await pages.page(reader, 2n, log.read(2n));
    expect(log.reads).toEqual([0n, 0n, 2n]);
  });

  it('holds the reader ahead back until the one behind has read the oldest kept page', async () => {
    const size = 10;
    const pages = new SharedPages<bigint>({ capacity: 2, maxWaitMs: 10_000 });
    const log = fakeLog(size);
    const ahead = pages.join('g', 0n);
    const behind = pages.join('g', 0n);
    await pages.page(ahead, pageAfter(0, size), log.read(pageAfter(0, size)));
    await pages.page(ahead, pageAfter(1, size), log.read(pageAfter(1, size)));
    // Two pages kept, and the reader behind is about to read the first.
    let third = false;
    const reading = pages
      .page(ahead, pageAfter(2, size), log.read(pageAfter(2, size)))
      .then(() => (third = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(third).toBe(false);
    await pages.page(behind, pageAfter(0, size), log.read(pageAfter(0, size)));
    // Asking for the next page says the reader behind is done with the first.
    const next = pages.page(behind, pageAfter(1, size), log.read(pageAfter(1, size)));
    await reading;
    await next;
    expect(third).toBe(true);
    // The reader behind got both pages without reading them.
    expect(log.reads).toEqual([0n, 10n, 20n]);
  });

  it('waits only so long for a reader that does not move on, and not at all once it left', async () => {
    const pages = new SharedPages<bigint>({ capacity: 1, maxWaitMs: 100 });
    const log = fakeLog(5);
    const ahead = pages.join('g', 0n);
    const stalled = pages.join('g', 0n);
    await pages.page(ahead, 0n, log.read(0n));
    const started = performance.now();
    await pages.page(ahead, 5n, log.read(5n));
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    pages.leave(stalled);
    await pages.page(ahead, 10n, log.read(10n));
    expect(log.reads).toEqual([0n, 5n, 10n]);
  });

  it('is not held back by a reader behind every kept page, nor by a reader that is live', async () => {
    const pages = new SharedPages<bigint>({ capacity: 1, maxWaitMs: 60_000 });
    const log = fakeLog(5);
    const ahead = pages.join('g', 0n);
    const farBehind = pages.join('g', 0n);
    const live = pages.join('g', 0n);
    await pages.page(live, 100n, log.read(100n, false));
    farBehind.after = -50n;
    await pages.page(ahead, 0n, log.read(0n));
    await pages.page(ahead, 5n, log.read(5n));
    await pages.page(ahead, 10n, log.read(10n));
    expect(log.reads).toEqual([100n, 0n, 5n, 10n]);
  });
});
