import { agreementId } from '@twinning/domain/testing';
import {
  GENESIS_HASH,
  chainHash,
  createInMemoryEventStore,
  type RecordedEvent,
} from '@twinning/event-store';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, exportEvents, type ExportTrailer } from './audit-export.js';
import { createAuditor } from './auditor.js';
import { verifyLog } from './chain-verification.js';
import { checkNdjsonExport } from './export-check.js';
import { recordLateSignatureStory } from './testing/recorded-story.js';

const text = async (chunks: AsyncIterable<string>): Promise<string> => {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
};

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

const idA = agreementId('aaaaaaaa-1111-4111-8111-111111111111');
const idB = agreementId('bbbbbbbb-2222-4222-8222-222222222222');

const setUp = async () => {
  const store = createInMemoryEventStore();
  await recordLateSignatureStory(store, idA);
  await recordLateSignatureStory(store, idB);
  return { store, auditor: createAuditor({ store, now: () => new Date('2025-01-01T00:00:00Z') }) };
};

const linesOf = (ndjson: string): unknown[] =>
  ndjson
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);

describe('exporting an agreement', () => {
  it('writes every event as NDJSON with a trailer that an offline check accepts', async () => {
    const { auditor } = await setUp();
    const ndjson = await text(auditor.exportAgreement(idA, 'ndjson'));
    const records = linesOf(ndjson);
    expect(records).toHaveLength(13);
    expect(records[0]).toMatchObject({
      record: 'event',
      streamId: `agreement-${idA}`,
      revision: '0',
      type: 'AgreementProposed',
      prevHash: GENESIS_HASH,
    });
    const trailer = records.at(-1) as ExportTrailer;
    expect(trailer).toMatchObject({ record: 'trailer', events: 12, log: null });
    const check = await checkNdjsonExport(each(ndjson.split('\n')));
    expect(check).toMatchObject({ ok: true, events: 12, exportDigest: trailer.exportDigest });
  });

  it('fails the offline check where a line was altered, removed, or the trailer is gone', async () => {
    const { auditor } = await setUp();
    const lines = (await text(auditor.exportAgreement(idA, 'ndjson'))).trimEnd().split('\n');
    const altered = lines.map((line, index) =>
      index === 10 ? line.replace('council vote on relations', 'no reason at all') : line,
    );
    expect((await checkNdjsonExport(each(altered))).firstBreak).toMatchObject({
      kind: 'hash_mismatch',
      revision: 10n,
    });
    const removed = lines.filter((_, index) => index !== 4);
    const removedCheck = await checkNdjsonExport(each(removed));
    expect(removedCheck.firstBreak).toMatchObject({ kind: 'missing_revision', revision: 5n });
    expect(removedCheck.problems).toContain('the trailer counts 12 events, the export holds 11');
    const truncated = await checkNdjsonExport(each(lines.slice(0, -1)));
    expect(truncated.problems).toEqual(['no trailer: the export is incomplete']);
    const headless = await checkNdjsonExport(each(lines.slice(1)));
    expect(headless.ok).toBe(false);
  });

  it('writes RFC 4180 CSV with the same events and the trailer in the last row', async () => {
    const { auditor, store } = await setUp();
    const csv = await text(auditor.exportAgreement(idA, 'csv'));
    const rows = parse<Record<(typeof CSV_COLUMNS)[number], string>>(csv, { columns: true });
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(13);
    const stored: RecordedEvent[] = [];
    for await (const event of store.readStream(`agreement-${idA}`)) stored.push(event);
    for (const [index, event] of stored.entries()) {
      const row = rows[index]!;
      const content = {
        streamId: row.stream_id,
        revision: BigInt(row.revision),
        type: row.type,
        data: JSON.parse(row.data) as RecordedEvent['data'],
        metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
      };
      expect(chainHash(row.prev_hash, content)).toBe(event.hash);
      expect(row.hash).toBe(event.hash);
    }
    expect(rows[10]).toMatchObject({
      actor: 'clerk@gb-coventry (clerk)',
      correlation_id: 'correlation-9',
    });
    const trailerRow = rows.at(-1)!;
    expect(trailerRow.record).toBe('trailer');
    expect(JSON.parse(trailerRow.data)).toMatchObject({ events: 12 });
  });
});

describe('exporting a time range', () => {
  it('keeps the events recorded in the range and states the log digest it read to', async () => {
    const { auditor, store } = await setUp();
    const ndjson = await text(
      auditor.exportRecordedBetween(
        new Date('2024-02-01T00:00:00Z'),
        new Date('2024-06-01T09:00:00Z'),
        'ndjson',
      ),
    );
    const records = linesOf(ndjson) as { record: string; type?: string; revision?: string }[];
    const events = records.filter((record) => record.record === 'event');
    // Per agreement: the proposer's and the late signature, the signing, the activation.
    expect(events).toHaveLength(8);
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set(['SignatureRecorded', 'AgreementSigned', 'AgreementActivated']),
    );
    const trailer = records.at(-1) as ExportTrailer;
    const log = await verifyLog(store.readAll());
    expect(trailer.log).toEqual({
      position: log.digest.position?.toString(),
      events: 24,
      digest: log.digest.digest,
    });
    expect((await checkNdjsonExport(each(ndjson.split('\n')))).ok).toBe(true);
    expect(() =>
      auditor.exportRecordedBetween(new Date('2024-03-01'), new Date('2024-02-01'), 'csv'),
    ).toThrow(expect.objectContaining({ code: 'INVALID_AUDIT_QUERY' }));
  });
});

/**
 * A log of `count` events made one at a time, never held in memory. The export copies hashes
 * without checking them, so cheap stand-ins keep the test quick.
 */
async function* generatedLog(count: number): AsyncGenerator<RecordedEvent> {
  let prevHash = GENESIS_HASH;
  for (let n = 0; n < count; n += 1) {
    const hash = createHash('sha256').update(String(n)).digest('hex');
    yield await Promise.resolve({
      id: `event-${n}`,
      streamId: `agreement-${Math.floor(n / 1000)}`,
      revision: BigInt(n % 1000),
      type: 'TermsAccepted',
      data: { party: 'proposer', termsVersion: 1, acceptedOn: '2024-01-01', note: 'x'.repeat(300) },
      metadata: { recordedAt: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(), n },
      position: BigInt(n + 1),
      storedAt: new Date(),
      prevHash,
      hash,
    });
    prevHash = hash;
  }
}

/** A full collection on demand, so heap samples show what is live rather than garbage. */
const collectGarbage = (): (() => void) => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
};

describe('exporting a large range', () => {
  it('streams 200,000 events with flat memory', async () => {
    const count = 200_000;
    const gc = collectGarbage();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let bytes = 0;
    let read = 0;
    let trailer = '';
    for await (const chunk of exportEvents(generatedLog(count), {
      format: 'ndjson',
      scope: { kind: 'recorded_between', from: new Date('2000-01-01'), to: new Date('2100-01-01') },
      exportedAt: new Date(),
      onEvent: (events) => {
        read = events;
        if (events % 20_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
      },
    })) {
      bytes += chunk.length;
      trailer = chunk.slice(chunk.lastIndexOf('\n', chunk.length - 2) + 1);
    }
    expect(read).toBe(count);
    expect(JSON.parse(trailer)).toMatchObject({ record: 'trailer', events: count });
    // The export is far larger than the heap ever grows: nothing accumulates.
    expect(bytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(peak - baseline).toBeLessThan(8 * 1024 * 1024);
  }, 120_000);
});
