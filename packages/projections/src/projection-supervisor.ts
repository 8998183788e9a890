import type { EventStore } from '@twinning/event-store';
import type { SqlClient, SqlQueryable, SqlTransaction } from '@twinning/sql';
import type { AdvisoryLockSession } from './advisory-lock-session.js';
import { BUILD_COLUMNS, toBuildRecord, type BuildRecord, type BuildRow } from './build-record.js';
import { isTransientFailure, runBuild, type BatchApplied } from './build-worker.js';
import type { LogHead } from './log-head.js';
import type { BatchingOptions } from './message-batches.js';
import { READ_SCHEMA, projectionSchemaOf, type Projection, type Reactor } from './projection.js';
import type {
  BuildPhase,
  BuildStatus,
  ProjectionLag,
  ProjectionRole,
  ProjectionStatus,
  RunnerLogger,
  RunnerObserver,
} from './runner-types.js';

export interface SupervisorOptions {
  readonly sql: SqlClient;
  readonly store: EventStore;
  readonly projection: Projection;
  readonly reactor: Reactor | undefined;
  readonly locks: AdvisoryLockSession;
  readonly head: LogHead;
  readonly batching: BatchingOptions;
  /** How often a standby process tries the lock, and the pause before a failed build restarts. */
  readonly lockRetryMs: number;
  /** How often pending requests and the builds' rows are looked at without a notification. */
  readonly pollMs: number;
  readonly logger: RunnerLogger;
  readonly observer: RunnerObserver;
  readonly now: () => Date;
}

interface Worker {
  build: BuildRecord;
  phase: BuildPhase;
  controller: AbortController;
  done: Promise<void> | undefined;
  position: bigint | undefined;
  eventsApplied: bigint;
  runStartedAt: number;
  runStartRatio: number;
  eventsThisRun: number;
  parked: { position: bigint; error: string } | undefined;
  /** After a transient failure, not restarted before this time (performance.now()). */
  retryAt: number;
}

interface PendingRequest {
  id: string;
  kind: 'rebuild' | 'retry' | 'skip';
  position: string | null;
  requested_by: string;
  reason: string | null;
}

interface ParkedRow {
  id: string;
  schema_name: string;
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  event_type: string;
  error_message: string;
  version: number;
}

const quote = (identifier: string): string => `"${identifier}"`;

const errorDetails = (error: unknown): object => ({
  err: error instanceof Error ? { name: error.name, message: error.message } : String(error),
});

/**
 * Runs one projection in this process: takes its advisory lock (or waits on standby), creates
 * builds, runs a worker per build, switches the `read` views over once a new build has caught
 * up, drops retired schemas, answers admin requests and, for a reactor, reacts on a timer.
 */
export class ProjectionSupervisor {
  private role: ProjectionRole = 'starting';
  private readonly workers = new Map<string, Worker>();
  private readonly lockKey: string;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private lag: ProjectionLag | undefined;
  private reacting: Promise<void> | undefined;
  private reactorController = new AbortController();
  private nextReactionAt = 0;

  constructor(private readonly options: SupervisorOptions) {
    this.lockKey = `${options.projection.name}:v${options.projection.version}`;
  }

  get name(): string {
    return this.options.projection.name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Looks at the projection again now (a request arrived, a worker ended). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** The lock session died: another process may take over, so every worker stops now. */
  lockLost(): void {
    if (this.stopped) return;
    this.options.logger.warn(
      { projection: this.name },
      'lost the projection lock, stopping its builds',
    );
    this.role = 'standby';
    void this.stopWorkers();
    this.wake();
  }

  /** Finishes the batch in flight, stops every worker and releases the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    await this.stopWorkers();
    await this.options.locks.unlock(this.lockKey);
    this.role = 'stopped';
  }

  status(): ProjectionStatus {
    const builds = [...this.workers.values()].map((worker) => this.buildStatusOf(worker));
    return {
      name: this.name,
      version: this.options.projection.version,
      role: this.role,
      builds,
      lag: this.role === 'active' ? this.lag : undefined,
      parked: builds.some((build) => build.phase === 'parked'),
    };
  }

  /** Measures how far the serving build (or the one being built) is behind the head. */
  async sampleLag(): Promise<void> {
    const worker = this.leadingWorker();
    if (this.role !== 'active' || worker === undefined) {
      this.lag = undefined;
      return;
    }
    this.lag = await this.options.head.lagAfter(
      worker.position,
      this.options.projection.filter,
      this.options.now(),
    );
  }

  private leadingWorker(): Worker | undefined {
    const workers = [...this.workers.values()];
    return workers.find((worker) => worker.build.state === 'serving') ?? workers[0];
  }

  private buildStatusOf(worker: Worker): BuildStatus {
    const head = this.options.head;
    const ratio = head.ratioOf(worker.position);
    const elapsed = (performance.now() - worker.runStartedAt) / 1000;
    const eventsPerSecond = elapsed > 0 ? worker.eventsThisRun / elapsed : 0;
    const gained = ratio - worker.runStartRatio;
    const secondsLeft =
      ratio >= 1 ? 0 : gained > 0 && elapsed > 0 ? (elapsed * (1 - ratio)) / gained : undefined;
    return {
      build: worker.build.build,
      schema: worker.build.schema,
      serving: worker.build.state === 'serving',
      phase: worker.phase,
      position: worker.position,
      eventsApplied: worker.eventsApplied,
      progress: { ratio, eventsPerSecond, secondsLeft },
      ...(worker.parked === undefined ? {} : { parked: worker.parked }),
    };
  }

  // ---- the loop ------------------------------------------------------------------------------

  private async run(): Promise<void> {
    while (!this.stopped) {
      let pauseMs = this.options.pollMs;
      try {
        if (!this.options.locks.isHeld(this.lockKey)) {
          this.role = 'standby';
          if (await this.options.locks.tryLock(this.lockKey)) {
            this.role = 'active';
            this.options.logger.info(
              { projection: this.name, version: this.options.projection.version },
              'holding the projection',
            );
          } else {
            pauseMs = this.options.lockRetryMs;
          }
        }
        if (this.role === 'active' || this.role === 'superseded') {
          await this.reconcile();
          await this.handleRequests();
          pauseMs = Math.min(pauseMs, this.maybeReact());
        }
      } catch (error) {
        pauseMs = this.options.lockRetryMs;
        this.options.logger.warn(
          { projection: this.name, ...errorDetails(error) },
          isTransientFailure(error)
            ? 'database unavailable, retrying'
            : 'projection supervision failed, retrying',
        );
      }
      if (!this.stopped) await this.pause(pauseMs);
    }
    this.reactorController.abort();
    await this.reacting;
  }

  private pause(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        done();
      };
    });
  }

  private async readBuilds(on: SqlQueryable, forUpdate = false): Promise<BuildRecord[]> {
    const { rows } = await on.query<BuildRow>(
      `SELECT ${BUILD_COLUMNS} FROM projection_checkpoints
        WHERE name = $1 AND (state <> 'retired' OR schema_dropped_at IS NULL)
        ORDER BY version, build${forUpdate ? ' FOR UPDATE' : ''}`,
      [this.name],
    );
    return rows.map(toBuildRecord);
  }

  private async reconcile(): Promise<void> {
    const { projection } = this.options;
    const builds = await this.readBuilds(this.options.sql);
    const live = builds.filter((build) => build.state !== 'retired');

    for (const [schema, worker] of this.workers) {
      if (!live.some((build) => build.schema === schema)) {
        worker.controller.abort();
        await worker.done;
        this.workers.delete(schema);
      }
    }
    for (const retired of builds.filter((build) => build.state === 'retired')) {
      await this.dropSchema(retired.schema);
    }

    const serving = live.find((build) => build.state === 'serving');
    if (serving !== undefined && serving.version > projection.version) {
      if (this.role !== 'superseded') {
        this.options.logger.warn(
          { projection: this.name, version: projection.version, serving: serving.version },
          'a newer version of the projection serves; this process leaves it alone',
        );
      }
      this.role = 'superseded';
      await this.stopWorkers();
      return;
    }
    this.role = 'active';

    const mine = live.filter((build) => build.version === projection.version);
    if (mine.length === 0) {
      const created = await this.options.sql.transaction((tx) =>
        this.createBuild(tx, serving === undefined),
      );
      mine.push(created);
    }

    const { rows: parkedRows } = await this.options.sql.query<{
      schema_name: string;
      position: string;
      error_message: string;
    }>(
      `SELECT schema_name, position::text AS position, error_message FROM projection_parked
        WHERE status = 'parked' AND schema_name = ANY($1) ORDER BY projection_parked.position`,
      [mine.map((build) => build.schema)],
    );
    for (const build of mine) {
      const parked = parkedRows.find((row) => row.schema_name === build.schema);
      const worker = this.workers.get(build.schema);
      if (parked !== undefined) {
        if (worker?.done === undefined) {
          this.workers.set(build.schema, {
            ...this.newWorker(build),
            phase: 'parked',
            parked: { position: BigInt(parked.position), error: parked.error_message },
          });
        }
        continue;
      }
      if (worker?.done !== undefined) {
        worker.build = { ...worker.build, state: build.state };
        continue;
      }
      if (worker !== undefined && worker.phase === 'failing' && performance.now() < worker.retryAt)
        continue;
      this.startWorker(build);
    }
  }

  private newWorker(build: BuildRecord): Worker {
    return {
      build,
      phase: 'catching_up',
      controller: new AbortController(),
      done: undefined,
      position: build.position,
      eventsApplied: build.eventsApplied,
      runStartedAt: performance.now(),
      runStartRatio: this.options.head.ratioOf(build.position),
      eventsThisRun: 0,
      parked: undefined,
      retryAt: 0,
    };
  }

  private startWorker(build: BuildRecord): void {
    const { projection, logger } = this.options;
    const worker = this.newWorker(build);
    this.workers.set(build.schema, worker);
    logger.info(
      {
        projection: this.name,
        schema: build.schema,
        state: build.state,
        position: build.position?.toString() ?? null,
      },
      build.position === undefined ? 'building from the start of the log' : 'resuming',
    );
    worker.done = (async () => {
      try {
        await this.options.head.refresh().catch(() => undefined);
        worker.runStartRatio = this.options.head.ratioOf(build.position);
        const outcome = await runBuild({
          sql: this.options.sql,
          store: this.options.store,
          projection,
          build,
          batching: this.options.batching,
          signal: worker.controller.signal,
          onBatchApplied: (applied) => this.batchApplied(worker, applied),
          onCaughtUp: () => this.caughtUp(worker),
        });
        switch (outcome.kind) {
          case 'stopped':
            this.forget(worker);
            break;
          case 'parked':
            worker.phase = 'parked';
            worker.parked = { position: outcome.position, error: outcome.error };
            logger.error(
              {
                projection: this.name,
                schema: build.schema,
                position: outcome.position.toString(),
                error: outcome.error,
              },
              'event parked: the projection stops until an admin retries or skips it',
            );
            break;
          case 'lost':
            this.forget(worker);
            logger.warn(
              { projection: this.name, schema: build.schema, reason: outcome.reason },
              'build handed over',
            );
            break;
          default: {
            const _exhaustive: never = outcome;
            throw new Error(`unknown outcome ${String(_exhaustive)}`);
          }
        }
      } catch (error) {
        worker.phase = 'failing';
        worker.retryAt = performance.now() + this.options.lockRetryMs;
        logger.warn(
          { projection: this.name, schema: build.schema, ...errorDetails(error) },
          'build failed, restarting from its checkpoint shortly',
        );
      } finally {
        worker.done = undefined;
        this.wake();
      }
    })();
  }

  private forget(worker: Worker): void {
    if (this.workers.get(worker.build.schema) === worker) this.workers.delete(worker.build.schema);
  }

  private batchApplied(worker: Worker, applied: BatchApplied): void {
    worker.position = applied.position;
    worker.eventsApplied = applied.eventsApplied;
    worker.eventsThisRun += applied.eventsInBatch;
    if (applied.eventsInBatch > 0) {
      this.options.observer.eventsApplied?.(this.name, applied.eventsInBatch);
    }
    if (worker.phase !== 'live') void this.options.head.refresh().catch(() => undefined);
  }

  private async caughtUp(worker: Worker): Promise<void> {
    worker.phase = 'live';
    this.options.logger.info(
      {
        projection: this.name,
        schema: worker.build.schema,
        position: worker.position?.toString() ?? null,
      },
      'caught up',
    );
    if (worker.build.state === 'building') await this.switchOver(worker);
    this.nextReactionAt = 0;
    this.wake();
  }

  private async stopWorkers(): Promise<void> {
    const workers = [...this.workers.values()];
    for (const worker of workers) worker.controller.abort();
    this.reactorController.abort();
    for (const worker of workers) {
      await worker.done;
      // A worker started for the same build meanwhile (after a new lock) stays.
      if (this.workers.get(worker.build.schema) === worker)
        this.workers.delete(worker.build.schema);
    }
  }

  // ---- builds, switch-over, retired schemas -------------------------------------------------

  private async createBuild(tx: SqlTransaction, serveAtOnce: boolean): Promise<BuildRecord> {
    const { projection } = this.options;
    const { rows } = await tx.query<{ build: number }>(
      'SELECT COALESCE(max(build), 0) + 1 AS build FROM projection_checkpoints WHERE name = $1 AND version = $2',
      [projection.name, projection.version],
    );
    const build = rows[0]?.build ?? 1;
    const schema = projectionSchemaOf(projection, build);
    // A schema left by a build that crashed before its row was committed holds nothing of value.
    await tx.exec(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE; CREATE SCHEMA ${quote(schema)}`);
    await projection.setup(tx, schema);
    const { rows: inserted } = await tx.query<BuildRow>(
      `INSERT INTO projection_checkpoints (name, version, build, schema_name, state, tables, serving_since)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN now() END)
       RETURNING ${BUILD_COLUMNS}`,
      [
        projection.name,
        projection.version,
        build,
        schema,
        serveAtOnce ? 'serving' : 'building',
        [...projection.tables],
        serveAtOnce,
      ],
    );
    if (serveAtOnce) await this.pointViews(tx, [], schema, projection.tables);
    const record = inserted[0];
    if (record === undefined) throw new Error(`checkpoint row of ${schema} was not stored`);
    this.options.logger.info(
      { projection: projection.name, schema, serving: serveAtOnce },
      serveAtOnce
        ? 'created the first build'
        : 'rebuilding into a new schema beside the serving one',
    );
    return toBuildRecord(record);
  }

  private async pointViews(
    tx: SqlTransaction,
    oldTables: readonly string[],
    schema: string,
    tables: readonly string[],
  ): Promise<void> {
    const statements = [
      ...[...new Set([...oldTables, ...tables])].map(
        (table) => `DROP VIEW IF EXISTS ${quote(READ_SCHEMA)}.${quote(table)}`,
      ),
      ...tables.map(
        (table) =>
          `CREATE VIEW ${quote(READ_SCHEMA)}.${quote(table)} AS SELECT * FROM ${quote(schema)}.${quote(table)}`,
      ),
    ];
    await tx.exec(statements.join(';\n'));
  }

  /** Serves the caught-up build: views, states and retirements change in one transaction. */
  private async switchOver(worker: Worker): Promise<void> {
    const me = worker.build;
    const retired = await this.options.sql.transaction(async (tx) => {
      const builds = (await this.readBuilds(tx, true)).filter((build) => build.state !== 'retired');
      const current = builds.find((build) => build.schema === me.schema);
      if (current?.state !== 'building') return [];
      const toRetire = builds.filter(
        (build) =>
          build.schema !== me.schema &&
          (build.state === 'serving' ||
            build.version < me.version ||
            (build.version === me.version && build.build < me.build)),
      );
      await tx.query(
        `UPDATE projection_checkpoints SET state = 'retired', retired_at = now(), updated_at = now()
          WHERE schema_name = ANY($1)`,
        [toRetire.map((build) => build.schema)],
      );
      await tx.query(
        `UPDATE projection_checkpoints SET state = 'serving', serving_since = now(), updated_at = now()
          WHERE schema_name = $1`,
        [me.schema],
      );
      const oldTables = toRetire
        .filter((build) => build.state === 'serving')
        .flatMap((build) => build.tables);
      await this.pointViews(tx, oldTables, me.schema, me.tables);
      return toRetire;
    });
    worker.build = { ...me, state: 'serving' };
    this.options.logger.info(
      { projection: this.name, schema: me.schema, retired: retired.map((build) => build.schema) },
      'switched the read views over to the new build',
    );
    for (const build of retired) {
      const old = this.workers.get(build.schema);
      if (old !== undefined) {
        old.controller.abort();
        await old.done;
        this.workers.delete(build.schema);
      }
      await this.dropSchema(build.schema);
    }
  }

  private async dropSchema(schema: string): Promise<void> {
    await this.options.sql.transaction(async (tx) => {
      await tx.exec(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`);
      await tx.query(
        'UPDATE projection_checkpoints SET schema_dropped_at = now() WHERE schema_name = $1',
        [schema],
      );
    });
    this.options.logger.info({ projection: this.name, schema }, 'dropped a retired build');
  }

  // ---- admin requests -----------------------------------------------------------------------

  private async handleRequests(): Promise<void> {
    const { rows } = await this.options.sql.query<PendingRequest>(
      `SELECT id::text AS id, kind, position::text AS position, requested_by, reason
         FROM projection_requests WHERE projection = $1 AND status = 'pending' ORDER BY id`,
      [this.name],
    );
    for (const request of rows) {
      if (this.role !== 'active') return;
      const handled = await this.options.sql.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `SELECT 1 FROM projection_requests WHERE id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED`,
          [request.id],
        );
        if (rowCount === 0) return undefined;
        const answer = await this.answer(tx, request);
        if (answer === undefined) return undefined;
        await tx.query(
          `UPDATE projection_requests SET status = $2, outcome = $3, handled_at = now() WHERE id = $1`,
          [request.id, answer.status, answer.outcome],
        );
        return answer;
      });
      if (handled === undefined) continue;
      this.options.logger.info(
        {
          projection: this.name,
          request: request.id,
          kind: request.kind,
          by: request.requested_by,
          ...handled,
        },
        'handled an admin request',
      );
      if (handled.resumes !== undefined) {
        for (const schema of handled.resumes) {
          const worker = this.workers.get(schema);
          if (worker?.done === undefined) this.workers.delete(schema);
        }
      }
      this.wake();
    }
  }

  /** `undefined`: not this process's to answer (it concerns a build another version runs). */
  private async answer(
    tx: SqlTransaction,
    request: PendingRequest,
  ): Promise<
    { status: 'done' | 'rejected'; outcome: string; resumes?: readonly string[] } | undefined
  > {
    const { projection } = this.options;
    switch (request.kind) {
      case 'rebuild': {
        const builds = (await this.readBuilds(tx, true)).filter(
          (build) => build.state !== 'retired',
        );
        const building = builds.find(
          (build) => build.state === 'building' && build.version === projection.version,
        );
        if (building !== undefined) {
          return { status: 'done', outcome: `already rebuilding into ${building.schema}` };
        }
        const serving = builds.find((build) => build.state === 'serving');
        const created = await this.createBuild(tx, serving === undefined);
        return { status: 'done', outcome: `rebuilding into ${created.schema}` };
      }
      case 'retry':
      case 'skip': {
        if (request.position === null) {
          return { status: 'rejected', outcome: 'the request names no position' };
        }
        const { rows: parked } = await tx.query<ParkedRow>(
          `SELECT p.id::text AS id, p.schema_name, p.position::text AS position, p.stream_id,
                  p.revision::text AS revision, p.event_id, p.event_type, p.error_message, p.version
             FROM projection_parked AS p
             JOIN projection_checkpoints AS c ON c.schema_name = p.schema_name AND c.state <> 'retired'
            WHERE p.projection = $1 AND p.position = $2 AND p.status = 'parked'
            FOR UPDATE OF p`,
          [this.name, request.position],
        );
        if (parked.length === 0) {
          return {
            status: 'rejected',
            outcome: `no event of ${this.name} is parked at position ${request.position}`,
          };
        }
        const ours = parked.filter((row) => row.version === projection.version);
        if (ours.length === 0) return undefined;
        const schemas = ours.map((row) => row.schema_name);
        if (request.kind === 'retry') {
          await tx.query(
            `UPDATE projection_parked SET status = 'retried', resolved_at = now(), resolved_by = $2
              WHERE id = ANY($1::bigint[])`,
            [ours.map((row) => row.id), request.requested_by],
          );
          return { status: 'done', outcome: 'retrying from the checkpoint', resumes: schemas };
        }
        for (const row of ours) {
          await tx.query(
            `UPDATE projection_checkpoints SET position = $2, updated_at = now()
              WHERE schema_name = $1 AND (position IS NULL OR position < $2)`,
            [row.schema_name, row.position],
          );
          await tx.query(
            `UPDATE projection_parked SET status = 'skipped', resolved_at = now(), resolved_by = $2
              WHERE id = $1`,
            [row.id, request.requested_by],
          );
          await tx.query(
            `INSERT INTO projection_skips
               (projection, version, schema_name, position, stream_id, revision, event_id, event_type,
                error_message, skipped_by, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
            [
              this.name,
              row.version,
              row.schema_name,
              row.position,
              row.stream_id,
              row.revision,
              row.event_id,
              row.event_type,
              row.error_message,
              request.requested_by,
              request.reason ?? '',
            ],
          );
        }
        return { status: 'done', outcome: 'skipped the event', resumes: schemas };
      }
      default: {
        const _exhaustive: never = request.kind;
        throw new Error(`unknown request kind ${String(_exhaustive)}`);
      }
    }
  }

  // ---- reactor ------------------------------------------------------------------------------

  /** Starts a reaction when one is due; returns how long until the next one may be. */
  private maybeReact(): number {
    const { reactor } = this.options;
    if (reactor === undefined || this.role !== 'active') return Number.POSITIVE_INFINITY;
    const serving = [...this.workers.values()].find(
      (worker) => worker.build.state === 'serving' && worker.phase === 'live',
    );
    if (serving === undefined) return Number.POSITIVE_INFINITY;
    const wait = this.nextReactionAt - performance.now();
    if (wait > 0 || this.reacting !== undefined) return Math.max(wait, 50);
    if (this.reactorController.signal.aborted) this.reactorController = new AbortController();
    const signal = this.reactorController.signal;
    this.nextReactionAt = performance.now() + reactor.intervalMs;
    this.reacting = reactor
      .react({ sql: this.options.sql, schema: serving.build.schema, signal })
      .catch((error: unknown) => {
        this.options.logger.error(
          { projection: this.name, ...errorDetails(error) },
          'reactor failed; it runs again at its next interval',
        );
      })
      .finally(() => {
        this.reacting = undefined;
      });
    return reactor.intervalMs;
  }
}
