/**
 * Audit benchmarks (issue: audit — replay any moment, prove nothing was altered, export).
 *
 *   pnpm --filter @twinning/e2e-tests exec tsx --conditions=@twinning/source bench/audit.bench.ts
 *   BENCH_VERIFY_EVENTS=200000 BENCH_AGREEMENTS=20000 …   # a quicker run
 *
 * On the local PostgreSQL, in a database made for the run and dropped after it:
 * - rebuilding one agreement of 1,000 events as recorded at a time (read + decode + fold);
 * - verification throughput over a log of 1,000,000 events, beside the store's raw `readAll`
 *   rate measured in the same run on the same log;
 * - the in-force-on-date query over 100,000 agreements on the `audit_in_force` read model, as
 *   known now and as known at an earlier time.
 */
import { randomUUID } from 'node:crypto';
import { encodeAgreementEvent, type EventMetadata } from '@twinning/agreements';
import {
  advanceInForceTimeline,
  createAuditor,
  createSqlInForceQuery,
  inForceProjection,
  verifyLog,
  writeRecordVersions,
  type InForceTimeline,
} from '@twinning/audit';
import { recordLateSignatureStory } from '@twinning/audit/testing';
import { agreementId, date } from '@twinning/domain/testing';
import type { AgreementEvent, AgreementId, CityId } from '@twinning/domain';
import { decodeAgreementEvent, type StoredAgreementEvent } from '@twinning/agreements';
import type { EventStore, EventToAppend } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase, randomSchemaName } from '@twinning/sql/testing';
import {
  formatRate,
  machineLine,
  percentile,
  printTable,
  seconds,
} from './support/bench-report.js';

const verifyEvents = Number(process.env['BENCH_VERIFY_EVENTS'] ?? '1000000');
const agreementCount = Number(process.env['BENCH_AGREEMENTS'] ?? '100000');
const LONG_AGREEMENT_EVENTS = 1000;

const ms = (value: number): string => `${value.toFixed(1)} ms`;

const timed = async (runs: number, work: () => Promise<unknown>): Promise<number[]> => {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = process.hrtime.bigint();
    await work();
    times.push(seconds(start) * 1000);
  }
  return times.sort((a, b) => a - b);
};

/** An active agreement (the late-signature story), then suspensions and reinstatements to 1,000 events. */
const recordLongAgreement = async (
  store: EventStore,
): Promise<{ id: AgreementId; midway: Date }> => {
  const id = agreementId(randomUUID());
  await recordLateSignatureStory(store, id);
  const streamId = `agreement-${id}`;
  let revision = 11n;
  const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000);
  const toAppend: EventToAppend[] = [];
  for (let n = 12; n < LONG_AGREEMENT_EVENTS; n += 1) {
    const on = date(day(n).toISOString().slice(0, 10));
    const event: AgreementEvent =
      n % 2 === 0
        ? {
            type: 'AgreementSuspended',
            schemaVersion: 1,
            data: { party: 'proposer', reason: `review ${n}`, suspendedOn: on },
          }
        : {
            type: 'AgreementReinstated',
            schemaVersion: 1,
            data: { party: 'proposer', reinstatedOn: on },
          };
    const metadata: EventMetadata = {
      actor: { subject: 'clerk@gb-coventry', role: 'clerk', municipality: 'gb-coventry' as CityId },
      correlationId: randomUUID(),
      causationId: randomUUID(),
      recordedAt: day(n).toISOString(),
      machineVersion: 1,
      schemaVersion: 1,
      commandType: n % 2 === 0 ? 'SuspendAgreement' : 'ReinstateAgreement',
    };
    toAppend.push(encodeAgreementEvent(randomUUID(), event, metadata));
  }
  for (let start = 0; start < toAppend.length; start += 500) {
    const batch = toAppend.slice(start, start + 500);
    await store.appendToStream(streamId, batch, { expectedRevision: revision });
    revision += BigInt(batch.length);
  }
  return { id, midway: day(LONG_AGREEMENT_EVENTS / 2) };
};

const fillLog = async (store: EventStore, events: number): Promise<void> => {
  const perStream = 1000;
  const started = process.hrtime.bigint();
  for (let written = 0; written < events; written += perStream) {
    const streamId = `bench-${written / perStream}`;
    const batch = Array.from({ length: Math.min(perStream, events - written) }, (_, n) => ({
      id: randomUUID(),
      type: 'TermsAccepted',
      data: { party: n % 2 === 0 ? 'proposer' : 'partner', termsVersion: 1, n },
      metadata: { correlationId: randomUUID(), recordedAt: new Date().toISOString() },
    }));
    await store.appendToStream(streamId, batch, { expectedRevision: 'no_stream' });
    if (process.stderr.isTTY) {
      process.stderr.write(
        `\r\x1b[2Kwriting ${written + batch.length} / ${events} events (${formatRate((written + batch.length) / seconds(started))}/s)`,
      );
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
};

/** The projection rows of `count` agreements, written in bulk from the projection's own step. */
const fillInForceReadModel = async (
  sql: SqlClient,
  schema: string,
  count: number,
): Promise<void> => {
  const store = await createPostgresEventStore(sql, { schema: randomSchemaName('story') });
  const template = agreementId('0b8e6a3c-4f1d-4c2a-9e7b-5d6f7a8b9c0d');
  await recordLateSignatureStory(store, template);
  const events: StoredAgreementEvent[] = [];
  for await (const recorded of store.readStream(`agreement-${template}`))
    events.push(decodeAgreementEvent(recorded));
  await store.close();
  for (let start = 0; start < count; start += 2000) {
    await sql.transaction(async (tx) => {
      for (let n = start; n < Math.min(count, start + 2000); n += 1) {
        // Vary when each agreement was recorded and took effect, so dates and times spread.
        const shiftDays = n % 365;
        let timeline: InForceTimeline | undefined;
        for (const stored of events) {
          const step = advanceInForceTimeline(timeline, stored);
          if (step === undefined) continue;
          timeline = {
            ...step.timeline,
            agreementId: String(n).padStart(8, '0'),
          };
          if (step.changed) {
            const shifted: InForceTimeline = {
              ...timeline,
              knownSince: new Date(
                Date.parse(timeline.knownSince) + shiftDays * 86_400_000,
              ).toISOString(),
              intervals: timeline.intervals.map((interval) => ({
                from: date(
                  new Date(Date.parse(interval.from) + shiftDays * 86_400_000)
                    .toISOString()
                    .slice(0, 10),
                ),
                until:
                  interval.until === null
                    ? null
                    : date(
                        new Date(Date.parse(interval.until) + shiftDays * 86_400_000)
                          .toISOString()
                          .slice(0, 10),
                      ),
              })),
            };
            await writeRecordVersions(tx, schema, [shifted]);
          }
        }
      }
    });
  }
  await sql.exec(`ANALYZE "${schema}".audit_in_force_intervals`);
};

const main = async (): Promise<void> => {
  process.stdout.write(`Audit benchmarks — ${machineLine()}, PostgreSQL at 127.0.0.1\n`);
  const database = await createTestDatabase();
  const sql = createPgClient({ connectionString: database.connectionString, max: 10 });
  try {
    // 1. One agreement of 1,000 events, rebuilt as recorded at a time halfway through.
    const store = await createPostgresEventStore(sql, { schema: randomSchemaName('long') });
    const long = await recordLongAgreement(store);
    const auditor = createAuditor({ store });
    const rebuild = await timed(30, () =>
      auditor.replay(long.id, { kind: 'recorded', at: long.midway }),
    );
    const latest = await timed(30, () => auditor.replay(long.id, { kind: 'latest' }));
    await store.close();
    printTable(
      'Rebuilding one agreement of 1,000 events (read, decode, fold under its machine version)',
      ['replay point', 'median', 'p95'],
      [
        ['as recorded at (halfway)', ms(percentile(rebuild, 50)), ms(percentile(rebuild, 95))],
        ['latest', ms(percentile(latest, 50)), ms(percentile(latest, 95))],
      ],
    );

    // 2. Verification over the whole log beside the raw read rate.
    const logStore = await createPostgresEventStore(sql, { schema: randomSchemaName('log') });
    await fillLog(logStore, verifyEvents);
    // A first pass warms the caches, so neither measured pass pays for a cold start.
    for await (const _event of logStore.readAll()) void _event;
    let readStarted = process.hrtime.bigint();
    let read = 0;
    for await (const _event of logStore.readAll()) read += 1;
    const readRate = read / seconds(readStarted);
    readStarted = process.hrtime.bigint();
    const verified = await verifyLog(logStore.readAll());
    const verifyRate = verified.digest.events / seconds(readStarted);
    await logStore.close();
    if (verified.firstBreak !== undefined) throw new Error('the benchmark log does not verify');
    printTable(
      `Verification over ${formatRate(read)} events (hash chains and log digest)`,
      ['pass', 'events/s'],
      [
        ['store.readAll() only', formatRate(readRate)],
        ['verifyLog(store.readAll())', formatRate(verifyRate)],
      ],
    );

    // 3. Partnerships in force on a date over the bitemporal read model.
    const schema = randomSchemaName('inforce');
    await sql.exec(`CREATE SCHEMA "${schema}"`);
    await sql.transaction((tx) => inForceProjection.setup(tx, schema));
    await fillInForceReadModel(sql, schema, agreementCount);
    const query = createSqlInForceQuery(sql, { schema });
    let found = 0;
    const now = await timed(20, async () => {
      found = (await query.partnershipsInForceOn(date('2024-08-01'))).length;
    });
    let foundEarlier = 0;
    const earlier = await timed(20, async () => {
      foundEarlier = (
        await query.partnershipsInForceOn(date('2024-08-01'), new Date('2024-06-01T00:00:00Z'))
      ).length;
    });
    printTable(
      `Partnerships in force on a date over ${formatRate(agreementCount)} agreements`,
      ['question', 'in force', 'median', 'p95'],
      [
        [
          'on 2024-08-01, as known now',
          formatRate(found),
          ms(percentile(now, 50)),
          ms(percentile(now, 95)),
        ],
        [
          'on 2024-08-01, as known on 2024-06-01',
          formatRate(foundEarlier),
          ms(percentile(earlier, 50)),
          ms(percentile(earlier, 95)),
        ],
      ],
    );
  } finally {
    await sql.close();
    await database.drop();
  }
};

await main();
