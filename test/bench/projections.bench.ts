/**
 * Projection benchmarks (issue: rebuild throughput and projection lag).
 *
 *   pnpm bench:projections
 *   BENCH_EVENTS=100000 BENCH_LAG_SECONDS=5 pnpm bench:projections   # a quick run
 *   BENCH_REBUILD_SECONDS=0 pnpm bench:projections                   # follow the rebuild to the end
 *
 * On the local PostgreSQL, each part in a database made for it and dropped after it:
 * - rebuild: a log of BENCH_EVENTS agreement events (1,000,000 by default; whole agreements
 *   decided by the lifecycle machine, one agreement per append; then vacuumed, analysed and
 *   checkpointed, as a server's log would be), read once with the store's plain
 *   `readAll()`, then rebuilt into the projector's read models (`READ_MODEL_PROJECTIONS` and the
 *   auditors' `inForceProjection`) by the projector service in a process of its own hosting both
 *   (`PROJECTOR_PROJECTIONS`); then a copy of the log is rebuilt with a process per projection. Each projection is timed by its checkpoint row, from the first build's creation
 *   until it serves a build at the head of the log, or followed for BENCH_REBUILD_SECONDS (240
 *   by default) after which the rate so far is reported and extrapolated;
 * - lag: a log of BENCH_LAG_HISTORY events rebuilt completely, then commands through
 *   `executeAgreementCommand` at a steady rate (50 and 200 a second, BENCH_LAG_SECONDS each),
 *   each timed from its return (the append committed) until the runner has committed a checkpoint
 *   at or past its position.
 *
 * The rebuilds run in projector processes, not in this one: after seeding, this process's own
 * runner needed about a fifth more CPU for the same rebuild. For the lag, the runner has a store
 * and a connection pool of its own, as the projector process would: it hears of appends through
 * PostgreSQL notifications, not through the writer's in-process wake-up.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  businessDateOf,
  encodeAgreementEvent,
  executeAgreementCommand,
} from '@twinning/agreements';
import type { EventMetadata } from '@twinning/agreements';
import { inForceProjection } from '@twinning/audit';
import {
  TermsSchema,
  decide,
  evolve,
  initialState,
  toAgreementStreamId,
  type AgreementId,
  type AgreementState,
  type Command,
  type DecisionContext,
  type Party,
  type PartyRole,
} from '@twinning/domain';
import { agreementId as toAgreementId, city, storyOf } from '@twinning/domain/testing';
import type { EventStore, EventToAppend } from '@twinning/event-store';
import { createPostgresEventStore } from '@twinning/event-store-postgres';
import { createLogger } from '@twinning/http-kit';
import { createProjectionRunner, type ProjectionRunner } from '@twinning/projections';
import { READ_MODEL_PROJECTIONS } from '@twinning/read-models';
import { createPgClient, type SqlClient } from '@twinning/sql';
import { createTestDatabase } from '@twinning/sql/testing';
import {
  formatRate,
  machineLine,
  percentile,
  printTable,
  seconds,
} from './support/bench-report.js';

const totalEvents = Number(process.env['BENCH_EVENTS'] ?? '1000000');
/** The rebuild is followed this long, then its rate is extrapolated; 0 follows it to the end. */
const rebuildLimitSeconds = Number(process.env['BENCH_REBUILD_SECONDS'] ?? '240');
/** Lag is measured on a database of its own whose log of this size is rebuilt completely first. */
const lagHistoryEvents = Number(process.env['BENCH_LAG_HISTORY'] ?? '20000');
const lagSeconds = Number(process.env['BENCH_LAG_SECONDS'] ?? '20');
const LAG_RATES = [50, 200] as const;
const SEED_WRITERS = 8;
/** City pairs whose stories are decided by the machine; agreements reuse them under new ids. */
const DECIDED_PAIRS = 600;
const PROJECTIONS = [...READ_MODEL_PROJECTIONS, inForceProjection];

// ---- a realistic log ----------------------------------------------------------------------------

const COUNTRIES = ['DE', 'FR', 'GB', 'IT', 'PL', 'US', 'ES', 'NL', 'SE', 'CZ', 'UA', 'JP'] as const;
const STEMS = ['Ash', 'Bel', 'Cor', 'Dun', 'Elm', 'Fair', 'Glen', 'Har', 'Kings', 'Lin', 'Mar'];
const ENDINGS = ['ford', 'ton', 'burg', 'ville', 'mouth', 'stead', 'wick', 'dale', 'by', 'haven'];

const cities: readonly Party[] = COUNTRIES.flatMap((country, countryIndex) =>
  STEMS.flatMap((stem, stemIndex) =>
    ENDINGS.map((ending, endingIndex) =>
      city(
        `${country.toLowerCase()}-${stem.toLowerCase()}${ending}`,
        `${stem}${ending}`,
        country,
        // Most European councils approve a twinning by resolution; a share of others do too.
        (countryIndex + stemIndex + endingIndex) % 3 !== 0,
      ),
    ),
  ),
);

const cityAt = (index: number): Party => {
  const found = cities[index % cities.length];
  if (found === undefined) throw new Error('no cities to twin');
  return found;
};

type StoryShape = 'active' | 'suspended' | 'negotiating';
/** Out of ten agreements: six active, two suspended after council approvals, two negotiating. */
const SHAPE_BY_TENTH: readonly StoryShape[] = [
  'active',
  'active',
  'negotiating',
  'active',
  'suspended',
  'active',
  'active',
  'negotiating',
  'active',
  'suspended',
];

const commandsOf = (shape: StoryShape, pair: number): Command[] => {
  const proposer = cityAt(pair * 7);
  const partner = cityAt(pair * 7 + 1 + (pair % (cities.length - 1)));
  const year = 1950 + (pair % 70);
  const on = (monthDay: string) => `${year}-${monthDay}`;
  const terms = TermsSchema.parse({
    title: `Twinning of ${proposer.name} and ${partner.name}`,
    purpose: 'Friendship and exchange between our peoples',
    areasOfExchange: ['culture', 'youth', 'education'],
    kind: 'sister_city',
    startDate: on('06-01'),
  });
  const story = storyOf({ id: toAgreementId(randomUUID()), proposer, partner, terms });
  const approvals = (['proposer', 'partner'] as const).flatMap((party: PartyRole) =>
    story[party].councilApprovalRequired ? [story.approve(party, on('04-02'))] : [],
  );
  switch (shape) {
    case 'negotiating':
      return [
        story.propose(on('03-01')),
        story.accept('proposer', on('03-10')),
        story.counterPropose('partner', on('03-20'), { ...terms, areasOfExchange: ['culture'] }),
        story.accept('partner', on('03-21'), { version: 2 }),
      ];
    case 'active':
    case 'suspended': {
      const toActive = [
        story.propose(on('03-01')),
        story.accept('proposer', on('03-10')),
        story.accept('partner', on('03-12')),
        ...approvals,
        story.sign('proposer', on('05-01')),
        story.sign('partner', on('05-03')),
        story.activate('proposer', on('06-01')),
      ];
      return shape === 'active'
        ? toActive
        : [...toActive, story.suspend('partner', `${year + 2}-01-15`)];
    }
    default: {
      const _exhaustive: never = shape;
      return _exhaustive;
    }
  }
};

/** One agreement's events as the command path would store them, decided by the machine. */
const decidedStory = (shape: StoryShape, pair: number): EventToAppend[] => {
  const commands = commandsOf(shape, pair);
  const first = commands[0];
  if (first?.type !== 'ProposeAgreement') throw new Error('a story starts with a proposal');
  const context: DecisionContext = {
    citiesWithClerks: [first.proposer.cityId, first.partner.cityId],
  };
  let state: AgreementState = initialState;
  const events: EventToAppend[] = [];
  for (const command of commands) {
    const decision = decide(command, state, context);
    if (!decision.ok) {
      throw new Error(`${command.type} refused: ${decision.error.reason}`);
    }
    for (const event of decision.value) {
      state = evolve(state, event);
      const metadata: EventMetadata = {
        actor: command.actor,
        correlationId: 'template',
        causationId: 'template',
        recordedAt: `${businessDateOf(event)}T09:00:00.000Z`,
        machineVersion: state.machineVersion,
        schemaVersion: event.schemaVersion,
        commandType: command.type,
      };
      events.push(encodeAgreementEvent(randomUUID(), event, metadata));
    }
  }
  return events;
};

/**
 * Deciding every agreement costs about 1 ms of CPU, as much as the rest of the seeding together;
 * so each city pair's stories are decided once and every agreement of that pair is a copy under
 * its own agreement id, event ids and correlation. The only id inside event data is the
 * agreement id of `AgreementProposed`.
 */
const storyTemplates = (): Map<StoryShape, EventToAppend[][]> => {
  const templates = new Map<StoryShape, EventToAppend[][]>();
  for (const shape of new Set(SHAPE_BY_TENTH)) {
    templates.set(
      shape,
      Array.from({ length: DECIDED_PAIRS }, (_, pair) => decidedStory(shape, pair)),
    );
  }
  return templates;
};

const copyOf = (template: readonly EventToAppend[], agreementId: AgreementId): EventToAppend[] => {
  const correlationId = randomUUID();
  return template.map((event, index) => ({
    id: randomUUID(),
    type: event.type,
    data: index === 0 ? { ...event.data, agreementId } : event.data,
    metadata: { ...event.metadata, correlationId, causationId: randomUUID() },
  }));
};

const progress = (label: string, done: number, total: number): void => {
  if (!process.stderr.isTTY) return;
  process.stderr.write(
    `\r  ${label} ${done.toLocaleString('en-GB')} / ${total.toLocaleString('en-GB')}   `,
  );
};
const endProgress = (): void => {
  if (process.stderr.isTTY) process.stderr.write('\n');
};

/** Appends whole agreements until `total` events are stored; returns the head position. */
const seedLog = async (
  store: EventStore,
  total: number,
): Promise<{ events: number; agreements: number; head: bigint }> => {
  const templates = storyTemplates();
  const start = process.hrtime.bigint();
  let events = 0;
  let agreements = 0;
  let head = 0n;
  let nextAgreement = 0;
  const nextStory = (): EventToAppend[] | undefined => {
    if (events >= total) return undefined;
    const index = nextAgreement;
    nextAgreement += 1;
    const shape = SHAPE_BY_TENTH[index % SHAPE_BY_TENTH.length] ?? 'active';
    const template = templates.get(shape)?.[Math.floor(index / 10) % DECIDED_PAIRS] ?? [];
    events += template.length;
    return copyOf(template, toAgreementId(randomUUID()));
  };
  await Promise.all(
    Array.from({ length: SEED_WRITERS }, async () => {
      for (let story = nextStory(); story !== undefined; story = nextStory()) {
        const first = story[0];
        const agreementId = first?.data['agreementId'];
        if (typeof agreementId !== 'string') throw new Error('a story starts with a proposal');
        const result = await store.appendToStream(
          toAgreementStreamId(toAgreementId(agreementId)),
          story,
          { expectedRevision: 'no_stream' },
        );
        if (result.position > head) head = result.position;
        agreements += 1;
        if (agreements % 2_000 === 0) progress('seeding', events, total);
      }
    }),
  );
  endProgress();
  process.stdout.write(
    `  seeded ${events.toLocaleString('en-GB')} events (${agreements.toLocaleString('en-GB')} agreements) in ${seconds(start).toFixed(1)} s\n`,
  );
  return { events, agreements, head };
};

// ---- measurements -------------------------------------------------------------------------------

const readAllRate = async (store: EventStore): Promise<{ events: number; perSecond: number }> => {
  let events = 0;
  const start = process.hrtime.bigint();
  for await (const _event of store.readAll()) {
    events += 1;
    if (events % 100_000 === 0) progress('reading', events, totalEvents);
  }
  endProgress();
  return { events, perSecond: events / seconds(start) };
};

/** The position each projection's serving build has committed, once it is live. */
const servingPositions = (runner: ProjectionRunner): Map<string, bigint | undefined> =>
  new Map(
    runner
      .status()
      .map((status) => [
        status.name,
        status.builds.find((build) => build.serving && build.phase === 'live')?.position,
      ]),
  );

const assertNothingParked = (runner: ProjectionRunner): void => {
  for (const status of runner.status()) {
    const parked = status.builds.find((build) => build.parked !== undefined)?.parked;
    if (parked !== undefined) {
      throw new Error(
        `projection ${status.name} parked the event at ${parked.position}: ${parked.error}`,
      );
    }
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RebuildProgress {
  /** Seconds from `start()` until the projection served a build at the head, if it did. */
  readonly caughtUpAfter: number | undefined;
  readonly eventsApplied: number;
}

/**
 * Starts the runner on an empty database and follows it until every projection serves a build
 * at or past `head`, or until `limitSeconds` (0: no limit) have passed.
 */
const rebuild = async (
  runner: ProjectionRunner,
  head: bigint,
  limitSeconds: number,
): Promise<{ seconds: number; byProjection: Map<string, RebuildProgress> }> => {
  const start = process.hrtime.bigint();
  const caughtUp = new Map<string, number>();
  const applied = (): Map<string, number> =>
    new Map(
      runner
        .status()
        .map((status) => [
          status.name,
          Math.max(0, ...status.builds.map((build) => Number(build.eventsApplied))),
        ]),
    );
  await runner.start();
  while (caughtUp.size < PROJECTIONS.length) {
    if (limitSeconds > 0 && seconds(start) >= limitSeconds) break;
    assertNothingParked(runner);
    for (const [name, position] of servingPositions(runner)) {
      if (!caughtUp.has(name) && position !== undefined && position >= head) {
        caughtUp.set(name, seconds(start));
      }
    }
    if (process.stderr.isTTY) {
      const line = [...applied()]
        .map(([name, events]) => `${name} ${events.toLocaleString('en-GB')}`)
        .join(', ');
      process.stderr.write(`\r  rebuilding: ${line}   `);
    }
    await sleep(100);
  }
  endProgress();
  const elapsed = seconds(start);
  const eventsApplied = applied();
  return {
    seconds: elapsed,
    byProjection: new Map(
      PROJECTIONS.map(({ name }) => [
        name,
        { caughtUpAfter: caughtUp.get(name), eventsApplied: eventsApplied.get(name) ?? 0 },
      ]),
    ),
  };
};

const projectorDirectory = fileURLToPath(new URL('../../services/projector/', import.meta.url));

/**
 * The rebuild by the projector service itself, in processes of its own as a deployment runs it:
 * each group of projections in one process (`PROJECTOR_PROJECTIONS`). Followed until each
 * projection serves a build at or past `head`, and timed by its checkpoint row.
 */
const rebuildInProcesses = async (
  databaseUrl: string,
  head: bigint,
  limitSeconds: number,
  groups: readonly (readonly string[])[],
): Promise<{ seconds: number; byProjection: Map<string, RebuildProgress> }> => {
  const sql = createPgClient({ connectionString: databaseUrl, max: 1 });
  const start = process.hrtime.bigint();
  const children = groups.map((names) => {
    const name = names.join(',');
    const child = spawn(
      process.execPath,
      // As the projector's start script and image run it.
      [
        '--max-semi-space-size=64',
        '--conditions=@twinning/source',
        '--import',
        'tsx',
        'src/server.ts',
      ],
      {
        cwd: projectorDirectory,
        env: {
          ...process.env,
          EVENT_STORE_URL: databaseUrl,
          PORT: '0',
          LOG_LEVEL: 'warn',
          PROJECTOR_PROJECTIONS: name,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    return { name, child, stderr: () => stderr };
  });
  const caughtUp = new Set<string>();
  const applied = new Map<string, number>();
  try {
    while (caughtUp.size < PROJECTIONS.length) {
      if (limitSeconds > 0 && seconds(start) >= limitSeconds) break;
      for (const { name, child, stderr } of children) {
        if (child.exitCode !== null) {
          throw new Error(`the projector for ${name} exited (${child.exitCode}): ${stderr()}`);
        }
      }
      const { rows } = await sql
        .query<{ name: string; position: string | null; applied: string; parked: boolean }>(
          `SELECT name, position::text AS position, events_applied::text AS applied,
                  EXISTS (SELECT 1 FROM projection_parked WHERE status = 'parked') AS parked
             FROM projection_checkpoints WHERE state = 'serving'`,
        )
        // The projectors create their tables once they have started.
        .catch(() => ({ rows: [] }));
      for (const row of rows) {
        if (row.parked) throw new Error('an event was parked during the rebuild');
        applied.set(row.name, Number(row.applied));
        if (!caughtUp.has(row.name) && row.position !== null && BigInt(row.position) >= head) {
          caughtUp.add(row.name);
        }
      }
      await sleep(100);
    }
    // Timed by the checkpoints themselves: from the first build's creation (the processes are up
    // and have their locks) to the commit of each projection's batch that reached the head.
    const { rows } = await sql.query<{ name: string; seconds: number | null }>(
      `SELECT name, EXTRACT(EPOCH FROM caught_up_at - min(started_at) OVER ())::float8 AS seconds
         FROM projection_checkpoints WHERE state = 'serving'`,
    );
    const timed = new Map(rows.map((row) => [row.name, row.seconds ?? undefined]));
    return {
      seconds: seconds(start),
      byProjection: new Map(
        PROJECTIONS.map(({ name }) => [
          name,
          {
            caughtUpAfter: caughtUp.has(name) ? timed.get(name) : undefined,
            eventsApplied: applied.get(name) ?? 0,
          },
        ]),
      ),
    };
  } finally {
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await sql.close();
  }
};

interface LagSample {
  readonly position: bigint;
  readonly committedAt: number;
}

/**
 * Watches the runner's checkpoints and times each appended position until every projection has
 * passed it. Checked after each applied batch, which the runner reports after its commit.
 */
const lagWatch = () => {
  const waiting = new Map<string, LagSample[]>(PROJECTIONS.map(({ name }) => [name, []]));
  const lags = new Map<string, number[]>(PROJECTIONS.map(({ name }) => [name, []]));
  let runner: ProjectionRunner | undefined;
  const settle = (): void => {
    if (runner === undefined || [...waiting.values()].every((pending) => pending.length === 0)) {
      return;
    }
    const now = performance.now();
    for (const [name, position] of servingPositions(runner)) {
      const pending = waiting.get(name);
      if (pending === undefined || position === undefined) continue;
      const still = pending.filter((sample) => {
        if (sample.position > position) return true;
        lags.get(name)?.push(Math.max(0, now - sample.committedAt));
        return false;
      });
      waiting.set(name, still);
    }
  };
  return {
    attach: (watched: ProjectionRunner) => {
      runner = watched;
    },
    settle,
    appended: (position: bigint): void => {
      const sample = { position, committedAt: performance.now() };
      for (const pending of waiting.values()) pending.push(sample);
      // The checkpoint may already be past it: a batch can commit before the command returns.
      settle();
    },
    pendingCount: () => Math.max(...[...waiting.values()].map((pending) => pending.length)),
    takeLags: (): Map<string, number[]> => {
      const taken = new Map([...lags].map(([name, values]) => [name, [...values]]));
      for (const values of lags.values()) values.length = 0;
      return taken;
    },
  };
};

/**
 * One agreement's commands in order, run one at a time: propose, both acceptances, both
 * signatures, activation (6 commands, 8 events), then the next agreement.
 */
const agreementLane = (lane: number) => {
  let commands: Command[] = [];
  return (): Command => {
    if (commands.length === 0) commands = commandsOf('active', lane + DECIDED_PAIRS);
    const next = commands.shift();
    if (next === undefined) throw new Error('an agreement story has no commands');
    return next;
  };
};

/** Issues `rate` commands a second for `durationMs`, spread over lanes that each wait their turn. */
const steadyLoad = async (
  store: EventStore,
  rate: number,
  durationMs: number,
  onAppended: (position: bigint) => void,
): Promise<{ issued: number; skipped: number; refused: number }> => {
  const lanes = Array.from({ length: Math.max(8, Math.ceil(rate / 5)) }, (_, lane) => ({
    busy: false,
    next: agreementLane(lane * 1000 + rate),
  }));
  const dependencies = {
    store,
    now: () => new Date(),
    citiesWithClerks: (cityIds: readonly Party['cityId'][]) => Promise.resolve(cityIds),
  };
  let issued = 0;
  let skipped = 0;
  let refused = 0;
  const inFlight = new Set<Promise<void>>();
  const intervalMs = 1000 / rate;
  const start = performance.now();
  for (let tick = 0; tick * intervalMs < durationMs; tick += 1) {
    const due = start + tick * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const lane = lanes.find((candidate) => !candidate.busy);
    if (lane === undefined) {
      skipped += 1;
      continue;
    }
    lane.busy = true;
    issued += 1;
    const command = lane.next();
    const running = executeAgreementCommand(dependencies, {
      agreementId: command.agreementId,
      command,
      correlationId: randomUUID(),
      causationId: randomUUID(),
    }).then((result) => {
      lane.busy = false;
      if (result.ok) onAppended(result.value.position);
      else refused += 1;
    });
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  }
  await Promise.all(inFlight);
  return { issued, skipped, refused };
};

interface BenchDatabase {
  /** The command path's store, as the API would hold it. */
  readonly writerStore: EventStore;
  /** The projector's own store and pool. */
  readonly projectorStore: EventStore;
  readonly projectorSql: SqlClient;
  readonly seeded: { events: number; agreements: number; head: bigint };
  readonly url: string;
  /** A second database holding the same log and nothing else, when asked for. */
  readonly copyUrl: string | undefined;
}

/**
 * A database of its own with `events` seeded, dropped afterwards. The seeding connections skip
 * waiting for the WAL flush (`synchronous_commit=off`): only the log's content matters to what is
 * measured, and the run would otherwise spend minutes on it.
 */
const withSeededDatabase = async <T>(
  events: number,
  work: (database: BenchDatabase) => Promise<T>,
  options: { readonly copy?: boolean } = {},
): Promise<T> => {
  const database = await createTestDatabase();
  let copy: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  const seedingUrl = new URL(database.connectionString);
  seedingUrl.searchParams.set('options', '-c synchronous_commit=off');
  const clients = [
    createPgClient({ connectionString: database.connectionString, max: 10 }),
    createPgClient({ connectionString: database.connectionString, max: 10 }),
  ] as const;
  const [writerSql, projectorSql] = clients;
  const stores: EventStore[] = [];
  try {
    const seedingSql = createPgClient({
      connectionString: seedingUrl.toString(),
      max: SEED_WRITERS,
    });
    const seedingStore = await createPostgresEventStore(seedingSql);
    const seeded = await seedLog(seedingStore, events).finally(async () => {
      await seedingStore.close();
      await seedingSql.close();
    });
    // A log as a server keeps it, not one written seconds ago: vacuumed and analysed (as
    // autovacuum would have done), its pages written out.
    const maintenanceSql = createPgClient({ connectionString: database.connectionString, max: 1 });
    await maintenanceSql.exec('VACUUM (ANALYZE)');
    await maintenanceSql.exec('CHECKPOINT');
    await maintenanceSql.close();
    // Copied while nothing else is connected to it.
    if (options.copy === true) copy = await createTestDatabase({ template: database.name });
    const writerStore = await createPostgresEventStore(writerSql);
    stores.push(writerStore);
    const projectorStore = await createPostgresEventStore(projectorSql);
    stores.push(projectorStore);
    return await work({
      writerStore,
      projectorStore,
      projectorSql,
      seeded,
      url: database.connectionString,
      copyUrl: copy?.connectionString,
    });
  } finally {
    for (const store of stores) await store.close();
    for (const client of clients) await client.close();
    await database.drop();
    await copy?.drop();
  }
};

const logger = createLogger({ name: 'projections-bench', level: 'warn' });

const loadLine = (): string =>
  `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(', ')}`;

const rebuildRows = (
  events: number,
  read: { perSecond: number },
  rebuilt: Awaited<ReturnType<typeof rebuild>>,
  how: string,
): string[][] => {
  const rateOf = (progress: RebuildProgress): number =>
    progress.caughtUpAfter === undefined
      ? progress.eventsApplied / rebuilt.seconds
      : events / progress.caughtUpAfter;
  const rows = PROJECTIONS.map(({ name }) => {
    const progress = rebuilt.byProjection.get(name) ?? { caughtUpAfter: 0, eventsApplied: 0 };
    const rate = rateOf(progress);
    return [
      `${name} (${how})`,
      progress.caughtUpAfter === undefined
        ? `${formatRate(progress.eventsApplied)} in ${rebuilt.seconds.toFixed(0)} s (stopped)`
        : `caught up in ${progress.caughtUpAfter.toFixed(1)} s`,
      formatRate(rate),
      (rate / read.perSecond).toFixed(3),
      (events / rate / 60).toFixed(1),
    ];
  });
  // The rebuild is done when its slowest projection is.
  const slowest = Math.min(...[...rebuilt.byProjection.values()].map(rateOf));
  return [
    ...rows,
    [
      `full rebuild, ${how} (slowest projection)`,
      '',
      formatRate(slowest),
      (slowest / read.perSecond).toFixed(3),
      (events / slowest / 60).toFixed(1),
    ],
  ];
};

const throughputRun = (): Promise<string[][]> =>
  withSeededDatabase(
    totalEvents,
    async ({ projectorStore, seeded, url, copyUrl }) => {
      const read = await readAllRate(projectorStore);
      if (read.events !== seeded.events) {
        throw new Error(`readAll gave ${read.events} events, ${seeded.events} were appended`);
      }
      const names = PROJECTIONS.map(({ name }) => name);
      const together = await rebuildInProcesses(url, seeded.head, rebuildLimitSeconds, [names]);
      if (copyUrl === undefined) throw new Error('the copy of the log is missing');
      const apart = await rebuildInProcesses(
        copyUrl,
        seeded.head,
        rebuildLimitSeconds,
        names.map((name) => [name]),
      );
      return [
        [
          'store.readAll() only',
          'read to the end',
          formatRate(read.perSecond),
          '1.000',
          (read.events / read.perSecond / 60).toFixed(1),
        ],
        ...rebuildRows(read.events, read, together, 'one process'),
        ...rebuildRows(read.events, read, apart, 'a process each'),
      ];
    },
    { copy: true },
  );

const lagRun = (): Promise<string[][]> =>
  withSeededDatabase(
    lagHistoryEvents,
    async ({ writerStore, projectorStore, projectorSql, seeded }) => {
      const watch = lagWatch();
      const runner = createProjectionRunner({
        store: projectorStore,
        sql: projectorSql,
        projections: PROJECTIONS,
        logger,
        observer: { eventsApplied: () => watch.settle() },
      });
      watch.attach(runner);
      const rows: string[][] = [];
      try {
        await rebuild(runner, seeded.head, 0);
        for (const rate of LAG_RATES) {
          const load = await steadyLoad(writerStore, rate, lagSeconds * 1000, watch.appended);
          const deadline = Date.now() + 30_000;
          while (watch.pendingCount() > 0 && Date.now() < deadline) await sleep(20);
          for (const [name, lags] of watch.takeLags()) {
            const sorted = lags.sort((a, b) => a - b);
            rows.push([
              String(rate),
              name,
              formatRate(load.issued / lagSeconds),
              String(load.skipped + load.refused),
              String(sorted.length),
              percentile(sorted, 50).toFixed(1),
              percentile(sorted, 99).toFixed(1),
              (sorted.at(-1) ?? Number.NaN).toFixed(1),
            ]);
          }
          process.stdout.write(`  lag at ${rate} commands/s: done\n`);
        }
      } finally {
        await runner.stop();
      }
      return rows;
    },
  );

const main = async (): Promise<void> => {
  process.stdout.write(
    `Projection benchmarks — ${machineLine()}, ${totalEvents.toLocaleString('en-GB')} events, rebuild limited to ${rebuildLimitSeconds === 0 ? 'none' : `${rebuildLimitSeconds} s`}, lag over ${lagSeconds} s per rate, ${loadLine()}\n`,
  );
  const throughput = await throughputRun();
  process.stdout.write(`  rebuild measured (${loadLine()})\n`);
  const lag = await lagRun();
  process.stdout.write(`  lag measured (${loadLine()})\n`);
  printTable(
    `Rebuild of ${PROJECTIONS.map(({ name }) => name).join(' + ')} from ${totalEvents.toLocaleString('en-GB')} events, beside readAll`,
    ['measure', 'run', 'events/s', 'vs readAll', 'minutes for the log'],
    throughput,
  );
  printTable(
    `Lag under steady load (history ${lagHistoryEvents.toLocaleString('en-GB')} events): command return → checkpoint at or past its position`,
    [
      'target/s',
      'projection',
      'commands/s',
      'not issued or refused',
      'samples',
      'p50 (ms)',
      'p99 (ms)',
      'max (ms)',
    ],
    lag,
  );
};

await main();
