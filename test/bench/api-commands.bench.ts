/**
 * API command benchmarks (issue: commands per second and p50/p99 latency over HTTP).
 *
 *   pnpm bench:api
 *   BENCH_SECONDS=3 BENCH_AGREEMENTS=100 pnpm bench:api   # a quick run
 *
 * The API as `buildApp` makes it, listening on 127.0.0.1, on the local PostgreSQL (a database
 * made for the run and dropped after it; one pool of 10 connections, the deployed default, shared
 * by the event store and the municipality directory), driven by autocannon in the same process
 * with a fixed number of connections, one request in flight on each:
 * - proposals: `POST /agreements`, each a new stream;
 * - acceptances: `POST /agreements/{id}/acceptances` on agreements proposed before, the clerk of
 *   Coventry then the clerk of Dresden on each (the second also appends `TermsAgreed`).
 * BENCH_AGREEMENTS agreements (500 by default) are proposed before anything is measured.
 *
 * Beside each, in the same run and with as many concurrent writers as connections: the store's
 * own `appendToStream` of the very events the API stored (a proposal to a new stream; an
 * acceptance to an existing one, with its expected revision).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import {
  buildApp,
  createSqlMunicipalityDirectory,
  createTokenVerifier,
  loadAuthConfig,
} from '@twinning/api';
import { AgreementIdSchema, toAgreementStreamId } from '@twinning/domain';
import type { EventStore, EventToAppend, RecordedEvent } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createLogger } from '@twinning/http-kit';
import { createPgClient } from '@twinning/sql';
import { createTestDatabase } from '@twinning/sql/testing';
import { people, tokenFor } from '../support/cast.js';
import { dresdenProposal } from '../support/coventry-stories.js';
import { formatRate, machineLine, printTable, runConcurrently } from './support/bench-report.js';

const durationSeconds = Number(process.env['BENCH_SECONDS'] ?? '10');
const seededAgreements = Number(process.env['BENCH_AGREEMENTS'] ?? '500');
const CONNECTION_COUNTS = [8, 32] as const;
/** `DATABASE_POOL_SIZE`'s default: what a deployed API holds. */
const POOL_SIZE = 10;

const proposalBody = JSON.stringify(dresdenProposal);
const acceptanceBody = JSON.stringify({ termsVersion: 1, acceptedOn: '1956-04-02' });

const loadLine = (): string =>
  `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(', ')}`;

const agreementIdOfLocation = (location: unknown): string | undefined => {
  if (typeof location !== 'string') return undefined;
  return /^\/agreements\/([0-9a-f-]{36})$/.exec(location)?.[1];
};

/**
 * Agreements proposed and not yet accepted by either party, handed out once each. When none is
 * left, an id no agreement has: its acceptances fail with 404 and show as non-2xx answers.
 */
const acceptancePool = () => {
  const waiting: string[] = [];
  let next = 0;
  let exhausted = 0;
  return {
    add: (agreementId: string) => waiting.push(agreementId),
    take: (): string => {
      const agreementId = waiting[next];
      if (agreementId === undefined) {
        exhausted += 1;
        return randomUUID();
      }
      next += 1;
      return agreementId;
    },
    remaining: () => waiting.length - next,
    exhausted: () => exhausted,
  };
};

interface LoadResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly statuses: string;
}

const loadResultOf = (result: autocannon.Result): LoadResult => ({
  perSecond: result['2xx'] / result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx + result.errors,
  statuses: Object.entries(result.statusCodeStats ?? {})
    .map(([status, stats]) => `${status}×${stats.count ?? 0}`)
    .join(' '),
});

/** Each writer appends copies of `event` to fresh streams, or to a stream of its own. */
const rawAppendRate = async (
  store: EventStore,
  writers: number,
  event: RecordedEvent,
  target: 'new streams' | 'own stream',
): Promise<number> => {
  const copy = (): EventToAppend => ({
    id: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
  const revisions = new Map<number, bigint>();
  const run = randomUUID().slice(0, 8);
  const { operations, elapsedSeconds } = await runConcurrently(
    writers,
    durationSeconds * 1000,
    async (writer) => {
      if (target === 'new streams') {
        await store.appendToStream(`agreement-${randomUUID()}`, [copy()], {
          expectedRevision: 'no_stream',
        });
        return;
      }
      const result = await store.appendToStream(`agreement-raw-${run}-${writer}`, [copy()], {
        expectedRevision: revisions.get(writer) ?? 'no_stream',
      });
      revisions.set(writer, result.nextExpectedRevision);
    },
  );
  return operations / elapsedSeconds;
};

const main = async (): Promise<void> => {
  process.stdout.write(
    `API command benchmarks — ${machineLine()}, ${durationSeconds} s per figure, ${loadLine()}\n`,
  );
  const database = await createTestDatabase();
  const sql = createPgClient({ connectionString: database.connectionString, max: POOL_SIZE });
  const store = await createPostgresEventStore(sql);
  const app = await buildApp({
    store,
    municipalities: await createSqlMunicipalityDirectory(sql),
    verifier: createTokenVerifier(loadAuthConfig({})),
    logger: createLogger({ name: 'api-bench', level: 'warn' }),
  });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening on TCP');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const headersOf = (token: string) => ({
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    });
    const coventryHeaders = headersOf(await tokenFor(people.coventryClerk));
    const dresdenHeaders = headersOf(await tokenFor(people.dresdenClerk));

    const post = async (path: string, headers: Record<string, string>, body: string) => {
      const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`POST ${path} answered ${response.status}`);
      return response;
    };
    const propose = async (): Promise<string> => {
      const response = await post('/agreements', coventryHeaders, proposalBody);
      const agreementId = agreementIdOfLocation(response.headers.get('location'));
      if (agreementId === undefined) throw new Error('a proposal answered without its location');
      return agreementId;
    };

    const pool = acceptancePool();
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let index = worker; index < seededAgreements; index += 8) pool.add(await propose());
      }),
    );
    process.stdout.write(`  proposed ${seededAgreements} agreements through the API\n`);

    // The events the API stores, to append the same ones straight to the store.
    const sample = await propose();
    await post(`/agreements/${sample}/acceptances`, coventryHeaders, acceptanceBody);
    const sampleEvents: RecordedEvent[] = [];
    for await (const event of store.readStream(
      toAgreementStreamId(AgreementIdSchema.parse(sample)),
    )) {
      sampleEvents.push(event);
    }
    const [proposed, accepted] = sampleEvents;
    if (proposed === undefined || accepted === undefined) {
      throw new Error('the sample agreement has fewer than two events');
    }

    const rows: string[][] = [];
    const addRow = (command: string, connections: number, api: LoadResult, raw: number) => {
      rows.push([
        command,
        String(connections),
        formatRate(api.perSecond),
        // autocannon records whole milliseconds.
        api.p50.toFixed(0),
        api.p99.toFixed(0),
        String(api.non2xx),
        formatRate(raw),
        (api.perSecond / raw).toFixed(2),
      ]);
      if (api.non2xx > 0) process.stdout.write(`    ${command}: statuses ${api.statuses}\n`);
    };

    for (const connections of CONNECTION_COUNTS) {
      const proposals = loadResultOf(
        await autocannon({
          url: baseUrl,
          connections,
          duration: durationSeconds,
          requests: [
            {
              method: 'POST',
              path: '/agreements',
              headers: coventryHeaders,
              body: proposalBody,
              onResponse: (status, _body, _context, headers) => {
                const agreementId = agreementIdOfLocation(headers?.location);
                if (status === 201 && agreementId !== undefined) pool.add(agreementId);
              },
            },
          ],
        }),
      );
      addRow(
        'propose (new stream)',
        connections,
        proposals,
        await rawAppendRate(store, connections, proposed, 'new streams'),
      );

      // The context lives from the first request of the pair to the second; each connection
      // takes an agreement of its own, so the two acceptances never race.
      const contexts = new WeakMap<object, string>();
      const acceptances = loadResultOf(
        await autocannon({
          url: baseUrl,
          connections,
          duration: durationSeconds,
          requests: [
            {
              method: 'POST',
              setupRequest: (request, context) => {
                const agreementId = pool.take();
                contexts.set(context, agreementId);
                return {
                  ...request,
                  path: `/agreements/${agreementId}/acceptances`,
                  headers: coventryHeaders,
                  body: acceptanceBody,
                };
              },
            },
            {
              method: 'POST',
              setupRequest: (request, context) => ({
                ...request,
                path: `/agreements/${contexts.get(context) ?? randomUUID()}/acceptances`,
                headers: dresdenHeaders,
                body: acceptanceBody,
              }),
            },
          ],
        }),
      );
      addRow(
        'accept (existing stream)',
        connections,
        acceptances,
        await rawAppendRate(store, connections, accepted, 'own stream'),
      );
      process.stdout.write(
        `  ${connections} connections: done (${pool.remaining()} proposals left to accept, ${loadLine()})\n`,
      );
    }
    if (pool.exhausted() > 0) {
      process.stdout.write(
        `  ran out of proposals ${pool.exhausted()} times: raise BENCH_AGREEMENTS\n`,
      );
    }

    printTable(
      'Commands over HTTP beside the store’s own appends (same connections / writers)',
      [
        'command',
        'connections',
        'API 2xx/s',
        'p50 (ms)',
        'p99 (ms)',
        'non-2xx',
        'raw appends/s',
        'API ÷ raw',
      ],
      rows,
    );
  } finally {
    await app.close();
    await store.close();
    await sql.close();
    await database.drop();
  }
};

await main();
