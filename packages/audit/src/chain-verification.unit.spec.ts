import { createHash } from 'node:crypto';
import {
  GENESIS_HASH,
  chainHash,
  createInMemoryEventStore,
  type RecordedEvent,
} from '@twinning/event-store';
import { agreementId } from '@twinning/domain/testing';
import { describe, expect, it } from 'vitest';
import { checkStreamHead, verifyLog, verifyStream } from './chain-verification.js';
import { EMPTY_LOG_DIGEST } from './log-digest.js';
import { recordLateSignatureStory } from './testing/recorded-story.js';

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

/** Two agreements' events interleaved in the log, as a real store holds them. */
const recordedLog = async (): Promise<RecordedEvent[]> => {
  const store = createInMemoryEventStore();
  await recordLateSignatureStory(store, agreementId('aaaaaaaa-1111-4111-8111-111111111111'));
  await recordLateSignatureStory(store, agreementId('bbbbbbbb-2222-4222-8222-222222222222'));
  return collect(store.readAll());
};

const streamA = 'agreement-aaaaaaaa-1111-4111-8111-111111111111';

/** The log with one event of stream A (by revision) replaced. */
const withEventOfA = (
  log: readonly RecordedEvent[],
  revision: bigint,
  change: (event: RecordedEvent) => RecordedEvent | undefined,
): RecordedEvent[] =>
  log.flatMap((event) => {
    if (event.streamId !== streamA || event.revision !== revision) return [event];
    const changed = change(event);
    return changed === undefined ? [] : [changed];
  });

const hashOfA = (log: readonly RecordedEvent[], revision: bigint): string =>
  log.find((event) => event.streamId === streamA && event.revision === revision)!.hash;

describe('verifying the hash chains', () => {
  it('finds nothing wrong with an untouched log', async () => {
    const log = await recordedLog();
    const verified = await verifyLog(each(log));
    expect(verified).toMatchObject({ firstBreak: undefined, breaks: 0, complete: true });
    expect(verified.digest.events).toBe(24);
  });

  it('reports altered data, type and metadata as a hash mismatch at that revision', async () => {
    const log = await recordedLog();
    const alterations: ((event: RecordedEvent) => RecordedEvent)[] = [
      (event) => ({ ...event, data: { ...event.data, resolutionReference: 'forged' } }),
      (event) => ({ ...event, type: 'TermsAccepted' }),
      (event) => ({ ...event, metadata: { ...event.metadata, correlationId: 'forged' } }),
    ];
    for (const alter of alterations) {
      const tampered = withEventOfA(log, 4n, alter);
      const changed = tampered.find((e) => e.streamId === streamA && e.revision === 4n)!;
      const verified = await verifyLog(each(tampered));
      expect(verified.breaks).toBe(1);
      expect(verified.firstBreak).toEqual({
        kind: 'hash_mismatch',
        streamId: streamA,
        revision: 4n,
        position: changed.position,
        expected: chainHash(changed.prevHash, changed),
        found: hashOfA(log, 4n),
      });
    }
  });

  it('reports a removed event as the missing revision', async () => {
    const log = await recordedLog();
    const verified = await verifyLog(each(withEventOfA(log, 3n, () => undefined)));
    expect(verified.firstBreak).toMatchObject({
      kind: 'missing_revision',
      streamId: streamA,
      revision: 4n,
      expected: '3',
      found: '4',
    });
    const firstRemoved = await verifyStream(
      streamA,
      each(withEventOfA(log, 0n, () => undefined).filter((e) => e.streamId === streamA)),
    );
    expect(firstRemoved.firstBreak).toMatchObject({
      kind: 'missing_revision',
      expected: '0',
      found: '1',
    });
  });

  it('reports a wrong prevHash with the hash it should have been', async () => {
    const log = await recordedLog();
    const verified = await verifyLog(
      each(withEventOfA(log, 5n, (event) => ({ ...event, prevHash: GENESIS_HASH }))),
    );
    expect(verified.firstBreak).toMatchObject({
      kind: 'prev_hash_mismatch',
      revision: 5n,
      expected: hashOfA(log, 4n),
      found: GENESIS_HASH,
    });
  });

  it('reports an event slipped in at an earlier position or a repeated revision', async () => {
    const log = await recordedLog();
    const last = log.filter((e) => e.streamId === streamA).at(-1)!;
    const extra = { type: 'AgreementSuspended', data: { reason: 'forged' }, metadata: {} };
    const forged: RecordedEvent = {
      ...last,
      ...extra,
      id: 'forged',
      revision: last.revision + 1n,
      position: 1n,
      prevHash: last.hash,
      hash: chainHash(last.hash, { ...last, ...extra, revision: last.revision + 1n }),
    };
    const slippedIn = [...log.slice(0, 1), forged, ...log.slice(1)];
    expect((await verifyLog(each(slippedIn))).firstBreak).toMatchObject({
      kind: 'missing_revision',
      position: 1n,
    });
    const repeated = [...log, { ...last, position: last.position + 1000n }];
    expect((await verifyLog(each(repeated))).firstBreak).toMatchObject({
      kind: 'revision_out_of_order',
      revision: last.revision,
    });
  });

  it('sees a cut tail only against the store record of the stream head', () => {
    const head = { streamId: streamA, revision: 11n, hash: 'a'.repeat(64) };
    expect(
      checkStreamHead(head, { revision: 11n, hash: 'a'.repeat(64), position: 9n }),
    ).toBeUndefined();
    expect(
      checkStreamHead(head, { revision: 10n, hash: 'b'.repeat(64), position: 8n }),
    ).toMatchObject({
      kind: 'stream_head_mismatch',
      revision: 10n,
    });
    expect(checkStreamHead(head, undefined)).toMatchObject({ found: 'no events' });
  });
});

describe('the log digest', () => {
  it('is the SHA-256 chain over the event hashes in global order', async () => {
    const log = await recordedLog();
    const expected = log.reduce(
      (digest, event) =>
        createHash('sha256')
          .update(digest + event.hash)
          .digest('hex'),
      GENESIS_HASH,
    );
    const first = await verifyLog(each(log));
    const again = await verifyLog(each(log));
    expect(first.digest).toEqual({
      position: log.at(-1)!.position,
      events: log.length,
      digest: expected,
    });
    expect(again.digest).toEqual(first.digest);
  });

  it('resumes from a written-down digest to the same result', async () => {
    const log = await recordedLog();
    const whole = await verifyLog(each(log));
    const firstHalf = await verifyLog(each(log.slice(0, 10)));
    const resumed = await verifyLog(each(log.slice(10)), {
      resumeFrom: firstHalf.digest,
      predecessorOf: (streamId, revision) =>
        Promise.resolve(log.find((e) => e.streamId === streamId && e.revision === revision)),
    });
    expect(resumed.digest).toEqual(whole.digest);
    expect(resumed.firstBreak).toBeUndefined();
  });

  it('stops between events when asked, saying how far it got', async () => {
    const log = await recordedLog();
    const controller = new AbortController();
    const stopped = await verifyLog(each(log), {
      signal: controller.signal,
      onEvent: (digest) => {
        if (digest.events === 7) controller.abort();
      },
    });
    expect(stopped.complete).toBe(false);
    expect(stopped.digest.events).toBe(7);
    expect(stopped.digest.position).toBe(log[6]!.position);
  });

  it('changes when the log below the written-down position changes', async () => {
    const log = await recordedLog();
    const written = await verifyLog(each(log));
    const withoutLast = await verifyLog(each(log.slice(0, -1)));
    expect(withoutLast.digest.digest).not.toBe(written.digest.digest);
    expect(EMPTY_LOG_DIGEST.digest).toBe(GENESIS_HASH);
  });
});
