import { parseArgs } from 'node:util';
import type { EventStore } from '@twinning/event-store';
import {
  NoParkedEventError,
  UnknownProjectionError,
  formatDuration,
  type BuildRecord,
  type ProjectionControl,
  type ProjectionRequest,
} from '@twinning/projections';
import { z } from 'zod';

export const PROJECTIONS_CLI_USAGE = `Usage: projections <command> [options]

Commands:
  status                               builds, checkpoints, progress and parked events
  parked [projection]                  events that stopped a projection
  skipped [projection]                 events skipped by an admin, with who and why
  rebuild <projection> [--wait]        rebuild from the start beside the serving tables
  retry <projection> <position>        apply a parked event again (after fixing its cause)
  skip <projection> <position> --reason "<why>"
                                       move past a parked event, recorded in the audit

Options:
  --by <who>       recorded as the requester (default: cli:<user>)
  --wait           wait until the projector has carried the request out, showing progress
  --timeout <s>    how long --wait waits (default 3600)

The projector carries requests out; this command files them (projection_requests) and reads the
shared tables, so it works against the same database from any machine. Configuration comes from
EVENT_STORE_URL, DATABASE_URL and DATA_DIR as for the services. With embedded PGlite (standalone
mode) the running process owns the data directory: use the admin API instead.`;

export interface CliOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProjectionsCliContext {
  readonly control: ProjectionControl;
  readonly store: EventStore;
  readonly out: CliOutput;
  readonly err: CliOutput;
  /** The default requester, e.g. `cli:alice`. */
  readonly user: string;
  readonly pollMs?: number;
}

/** Thrown for a command line that cannot be run; the entry point prints the usage. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

const positionSchema = z
  .string()
  .regex(/^\d{1,20}$/, 'a position is a non-negative whole number')
  .transform((value) => BigInt(value));

const nameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,29}$/, 'not a projection name');

const parse = <T>(schema: z.ZodType<T>, value: string | undefined, what: string): T => {
  if (value === undefined) throw new CliUsageError(`${what} is missing`);
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new CliUsageError(`${what}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  return result.data;
};

const headOf = async (store: EventStore): Promise<bigint | undefined> => {
  for await (const event of store.readAll({ direction: 'backwards', maxCount: 1 })) {
    return event.position;
  }
  return undefined;
};

const firstOf = async (store: EventStore): Promise<bigint | undefined> => {
  for await (const event of store.readAll({ maxCount: 1 })) return event.position;
  return undefined;
};

const ratioOf = (
  position: bigint | undefined,
  first: bigint | undefined,
  head: bigint | undefined,
): number => {
  if (head === undefined || first === undefined) return 1;
  if (position === undefined) return 0;
  if (position >= head || head <= first) return 1;
  return Math.max(0, Number(((position - first) * 1000n) / (head - first)) / 1000);
};

const table = (rows: readonly (readonly string[])[]): string => {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths?.[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

const describeRequest = (request: ProjectionRequest): string =>
  `request ${request.id} (${request.kind} ${request.projection}${request.position === undefined ? '' : ` at ${request.position.toString()}`}): ${request.status}${request.outcome === undefined ? '' : ` — ${request.outcome}`}`;

/** Runs one command line; returns the exit code (0 done, 1 failed, 2 bad usage). */
export const runProjectionsCli = async (
  argv: readonly string[],
  context: ProjectionsCliContext,
): Promise<number> => {
  const { control, out, err } = context;
  const pollMs = context.pollMs ?? 500;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        by: { type: 'string' },
        reason: { type: 'string' },
        wait: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '3600' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    err.write(
      `${error instanceof Error ? error.message : String(error)}\n\n${PROJECTIONS_CLI_USAGE}\n`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    (values.help ? out : err).write(`${PROJECTIONS_CLI_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const requestedBy = values.by ?? context.user;

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const timeoutSeconds = Number(values.timeout);
  const deadline = Date.now() + (Number.isFinite(timeoutSeconds) ? timeoutSeconds : 3600) * 1000;

  /** Waits for the projector to handle the request; for a rebuild, until the new build serves. */
  const waitFor = async (request: ProjectionRequest): Promise<number> => {
    let current = request;
    while (current.status === 'pending') {
      if (Date.now() > deadline) {
        err.write(`still pending: is a projector running for ${request.projection}?\n`);
        return 1;
      }
      await sleep(pollMs);
      current = (await control.request(request.id)) ?? current;
    }
    out.write(`${describeRequest(current)}\n`);
    if (current.status === 'rejected') return 1;
    const schema = /into (\S+)$/.exec(current.outcome ?? '')?.[1];
    if (current.kind !== 'rebuild' || schema === undefined) return 0;

    const started = Date.now();
    let lastLog = 0;
    for (;;) {
      const builds = await control.builds();
      const build = builds.find((candidate) => candidate.schema === schema);
      if (build === undefined) {
        err.write(`\nbuild ${schema} is gone (retired by a newer one?)\n`);
        return 1;
      }
      if (build.state === 'serving') {
        if (err.isTTY === true) err.write('\r\x1b[2K');
        out.write(`${schema} serves now (${build.eventsApplied.toString()} events applied)\n`);
        return 0;
      }
      const parkedHere = (await control.parked(build.name)).find(
        (event) => event.schema === schema,
      );
      if (parkedHere !== undefined) {
        if (err.isTTY === true) err.write('\r\x1b[2K');
        err.write(
          `the rebuild stopped on a parked event at ${parkedHere.position.toString()}: ${parkedHere.error}\n`,
        );
        return 1;
      }
      const ratio = ratioOf(
        build.position,
        await firstOf(context.store),
        await headOf(context.store),
      );
      const elapsed = (Date.now() - started) / 1000;
      const line = `rebuilding ${build.name} into ${schema}: ${(ratio * 100).toFixed(1)}%, ${build.eventsApplied.toString()} events, ${formatDuration(elapsed)} elapsed`;
      if (err.isTTY === true) err.write(`\r\x1b[2K${line}`);
      else if (Date.now() - lastLog > 10_000) {
        err.write(`${line}\n`);
        lastLog = Date.now();
      }
      if (Date.now() > deadline) {
        err.write('\ngave up waiting; the rebuild goes on\n');
        return 1;
      }
      await sleep(pollMs);
    }
  };

  try {
    switch (command) {
      case 'status': {
        const [builds, parked, head, first] = await Promise.all([
          control.builds(),
          control.parked(),
          headOf(context.store),
          firstOf(context.store),
        ]);
        if (builds.length === 0) {
          out.write('no projection has been built yet\n');
          return 0;
        }
        const rows = builds.map((build: BuildRecord) => [
          build.name,
          `v${build.version}`,
          build.schema,
          build.state,
          build.position?.toString() ?? '-',
          build.eventsApplied.toString(),
          `${(ratioOf(build.position, first, head) * 100).toFixed(1)}%`,
          String(parked.filter((event) => event.schema === build.schema).length),
          build.updatedAt.toISOString(),
        ]);
        out.write(
          `${table([
            [
              'PROJECTION',
              'VERSION',
              'SCHEMA',
              'STATE',
              'POSITION',
              'EVENTS',
              'PROGRESS',
              'PARKED',
              'UPDATED',
            ],
            ...rows,
          ])}\nhead of the log: ${head?.toString() ?? '(empty)'}\n`,
        );
        return 0;
      }
      case 'parked': {
        const name = rest[0] === undefined ? undefined : parse(nameSchema, rest[0], 'projection');
        const parked = await control.parked(name);
        if (parked.length === 0) {
          out.write('no parked events\n');
          return 0;
        }
        out.write(
          `${table([
            ['PROJECTION', 'SCHEMA', 'POSITION', 'STREAM', 'REVISION', 'TYPE', 'ATTEMPTS', 'ERROR'],
            ...parked.map((event) => [
              event.projection,
              event.schema,
              event.position.toString(),
              event.streamId,
              event.revision.toString(),
              event.eventType,
              String(event.attempts),
              event.error,
            ]),
          ])}\n`,
        );
        return 0;
      }
      case 'skipped': {
        const name = rest[0] === undefined ? undefined : parse(nameSchema, rest[0], 'projection');
        const skipped = await control.skipped(name);
        if (skipped.length === 0) {
          out.write('no skipped events\n');
          return 0;
        }
        out.write(
          `${table([
            ['PROJECTION', 'POSITION', 'STREAM', 'TYPE', 'BY', 'AT', 'REASON'],
            ...skipped.map((event) => [
              event.projection,
              event.position.toString(),
              event.streamId,
              event.eventType,
              event.skippedBy,
              event.skippedAt.toISOString(),
              event.reason,
            ]),
          ])}\n`,
        );
        return 0;
      }
      case 'rebuild': {
        const projection = parse(nameSchema, rest[0], 'projection');
        const request = await control.requestRebuild({
          projection,
          requestedBy,
          ...(values.reason === undefined ? {} : { reason: values.reason }),
        });
        out.write(`${describeRequest(request)}\n`);
        return values.wait ? waitFor(request) : 0;
      }
      case 'retry': {
        const projection = parse(nameSchema, rest[0], 'projection');
        const position = parse(positionSchema, rest[1], 'position');
        const request = await control.requestRetry({ projection, position, requestedBy });
        out.write(`${describeRequest(request)}\n`);
        return values.wait ? waitFor(request) : 0;
      }
      case 'skip': {
        const projection = parse(nameSchema, rest[0], 'projection');
        const position = parse(positionSchema, rest[1], 'position');
        const reason = values.reason?.trim();
        if (reason === undefined || reason === '') {
          throw new CliUsageError('skip needs --reason "<why>": it is kept in the audit');
        }
        const request = await control.requestSkip({ projection, position, requestedBy, reason });
        out.write(`${describeRequest(request)}\n`);
        return values.wait ? waitFor(request) : 0;
      }
      default:
        throw new CliUsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      err.write(`${error.message}\n\n${PROJECTIONS_CLI_USAGE}\n`);
      return 2;
    }
    if (error instanceof UnknownProjectionError || error instanceof NoParkedEventError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
};
