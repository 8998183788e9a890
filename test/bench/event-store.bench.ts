/**
 * Event store benchmarks (issue: the event store port and its adapters).
 *
 *   pnpm bench:event-store                 # PGlite and the local PostgreSQL
 *   BENCH_SECONDS=10 pnpm bench:event-store
 *   BENCH_READ_EVENTS=1000000 pnpm bench:event-store
 *
 * Append throughput is measured beside a baseline taken in the same run on the same database:
 * plain single-row INSERT transactions. Reads stream 1,000,000 events from the start of a store
 * and report the rate and the largest memory seen while reading.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createPGliteClient, createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase } from '@twinning/sql/testing';
import {
  formatRate,
  machineLine,
  printTable,
  runConcurrently,
  seconds,
} from './support/bench-report.js';

const durationMs = Number(process.env['BENCH_SECONDS'] ?? '5') * 1000;
const readEvents = Number(process.env['BENCH_READ_EVENTS'] ?? '1000000');
const WRITER_COUNTS = [1, 8] as const;

const eventFor = (writer: number, iteration: number): EventToAppend => ({
  id: randomUUID(),
  type: 'TermsAccepted',
  data: { party: writer % 2 === 0 ? 'proposer' : 'partner', termsVersion: 1, iteration },
  metadata: { correlationId: randomUUID(), recordedAt: new Date().toISOString() },
});

/** One transaction per row: the cheapest durable write the same database can do. */
const baselineRate = async (sql: SqlClient, writers: number): Promise<number> => {
  await sql.exec(
    'DROP TABLE IF EXISTS bench_baseline; CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL)',
  );
  const { operations, elapsedSeconds } = await runConcurrently(
    writers,
    durationMs,
    async (writer, iteration) => {
      await sql.transaction(async (tx) => {
        await tx.query('INSERT INTO bench_baseline (stream_id, data) VALUES ($1, $2::jsonb)', [
          `baseline-${writer}`,
          JSON.stringify(eventFor(writer, iteration).data),
        ]);
      });
    },
  );
  return operations / elapsedSeconds;
};

/** Each writer appends one event at a time to its own stream, with the exact expected revision. */
const appendRate = async (store: EventStore, writers: number): Promise<number> => {
  const run = randomUUID().slice(0, 8);
  const revisions = new Map<number, bigint>();
  const { operations, elapsedSeconds } = await runConcurrently(
    writers,
    durationMs,
    async (writer, iteration) => {
      const result = await store.appendToStream(
        `agreement-bench-${run}-${writer}`,
        [eventFor(writer, iteration)],
        { expectedRevision: revisions.get(writer) ?? 'no_stream' },
      );
      revisions.set(writer, result.nextExpectedRevision);
    },
  );
  return operations / elapsedSeconds;
};

const seedForReading = async (store: EventStore, total: number): Promise<void> => {
  const perAppend = 1000;
  const start = process.hrtime.bigint();
  for (let appended = 0; appended < total; appended += perAppend) {
    const events = Array.from({ length: Math.min(perAppend, total - appended) }, (_, index) =>
      eventFor(index, appended + index),
    );
    await store.appendToStream(`agreement-read-${appended / perAppend}`, events, {
      expectedRevision: 'no_stream',
    });
    if (process.stderr.isTTY && appended % 50_000 === 0) {
      process.stderr.write(
        `\r  seeding ${appended.toLocaleString('en-GB')} / ${total.toLocaleString('en-GB')}`,
      );
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(
    `  seeded ${total.toLocaleString('en-GB')} events in ${seconds(start).toFixed(1)} s\n`,
  );
};

const readAllRate = async (
  store: EventStore,
): Promise<{ events: number; perSecond: number; peakRssMb: number; heapMb: number }> => {
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let events = 0;
  const start = process.hrtime.bigint();
  for await (const _event of store.readAll()) {
    events += 1;
    if (events % 10_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const perSecond = events / seconds(start);
  return {
    events,
    perSecond,
    peakRssMb: (peakRss - baselineRss) / 2 ** 20,
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
  };
};

interface Target {
  readonly name: string;
  open(): Promise<{ sql: SqlClient; close(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'PGlite (in memory)',
    open: async () => {
      const sql = await createPGliteClient({});
      return { sql, close: () => sql.close() };
    },
  },
  {
    name: 'PostgreSQL 127.0.0.1',
    open: async () => {
      const database = await createTestDatabase();
      const sql = createPgClient({ connectionString: database.connectionString, max: 10 });
      return {
        sql,
        close: async () => {
          await sql.close();
          await database.drop();
        },
      };
    },
  },
];

const main = async (): Promise<void> => {
  process.stdout.write(
    `Event store benchmarks — ${machineLine()}, ${durationMs / 1000} s per figure\n`,
  );
  const appendRows: string[][] = [];
  const readRows: string[][] = [];
  for (const target of targets) {
    const { sql, close } = await target.open();
    try {
      const store = await createPostgresEventStore(sql);
      for (const writers of WRITER_COUNTS) {
        const baseline = await baselineRate(sql, writers);
        const adapter = await appendRate(store, writers);
        appendRows.push([
          target.name,
          String(writers),
          formatRate(baseline),
          formatRate(adapter),
          (adapter / baseline).toFixed(2),
        ]);
        process.stdout.write(`  ${target.name}, ${writers} writer(s): done\n`);
      }
      if (target.name.startsWith('PostgreSQL')) {
        await seedForReading(store, readEvents);
        const read = await readAllRate(store);
        readRows.push([
          target.name,
          formatRate(read.events),
          formatRate(read.perSecond),
          read.peakRssMb.toFixed(0),
          read.heapMb.toFixed(0),
        ]);
      }
      await store.close();
    } finally {
      await close();
    }
  }
  printTable(
    'Append throughput (events/s), one event per append, beside single-row INSERT transactions',
    ['store', 'writers', 'baseline INSERT/s', 'appendToStream events/s', 'ratio'],
    appendRows,
  );
  printTable(
    'readAll from the start',
    ['store', 'events', 'events/s', 'RSS growth (MB)', 'heap after (MB)'],
    readRows,
  );
};

await main();
