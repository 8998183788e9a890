import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AuditError,
  chainBreakToJson,
  checkNdjsonExport,
  createAuditor,
  inForceRecordFromLog,
  type InForceQuery,
  type StreamHeads,
} from '@twinning/audit';
import type { EventStore } from '@twinning/event-store';
import type { AuditCommand } from './audit-arguments.js';
import { AUDIT_USAGE } from './audit-arguments.js';
import { eventsPerSecond, startProgressLine } from './audit-progress.js';

export interface AuditCommandContext {
  readonly store: EventStore;
  readonly streamHeads?: StreamHeads;
  /** The in-force read model where it is built; otherwise the log is folded. */
  readonly inForce?: InForceQuery;
  readonly stdout: Writable;
  readonly stderr: { readonly isTTY?: boolean; write(text: string): unknown };
  /** Aborted on Ctrl-C: long runs stop between two events and say how to resume. */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

/** Exit codes: what went wrong, for scripts. */
export const EXIT = {
  ok: 0,
  /** Verification found a broken link, a digest differs, or an export does not check out. */
  failedCheck: 1,
  usage: 2,
  notFound: 3,
  unreadable: 4,
  interrupted: 130,
} as const;

const printJson = (stdout: Writable, value: unknown): void => {
  stdout.write(
    `${JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2)}\n`,
  );
};

const runCommand = async (command: AuditCommand, context: AuditCommandContext): Promise<number> => {
  const auditor = createAuditor({
    store: context.store,
    ...(context.streamHeads === undefined ? {} : { streamHeads: context.streamHeads }),
    ...(context.now === undefined ? {} : { now: context.now }),
  });
  const signalOption = context.signal === undefined ? {} : { signal: context.signal };
  switch (command.kind) {
    case 'help':
      context.stdout.write(`${AUDIT_USAGE}\n`);
      return EXIT.ok;
    case 'state':
      printJson(context.stdout, await auditor.replay(command.agreementId, command.point));
      return EXIT.ok;
    case 'change':
      printJson(context.stdout, await auditor.change(command.agreementId, command.revision));
      return EXIT.ok;
    case 'in-force': {
      const query =
        context.inForce ??
        (await inForceRecordFromLog(
          context.store.readAll({ filter: { streamPrefixes: ['agreement-'] } }),
        ));
      const partnerships = await query.partnershipsInForceOn(command.on, command.knownAt);
      printJson(context.stdout, {
        on: command.on,
        knownAt: command.knownAt?.toISOString() ?? null,
        count: partnerships.length,
        partnerships,
      });
      return EXIT.ok;
    }
    case 'verify': {
      if (command.agreementId !== undefined) {
        const verified = await auditor.verifyAgreement(command.agreementId);
        printJson(context.stdout, {
          streamId: verified.streamId,
          events: verified.events,
          intact: verified.firstBreak === undefined,
          head: verified.head ?? null,
          breaks: verified.breaks,
          firstBreak:
            verified.firstBreak === undefined ? null : chainBreakToJson(verified.firstBreak),
        });
        return verified.firstBreak === undefined ? EXIT.ok : EXIT.failedCheck;
      }
      let latest = command.resumeFrom;
      const stopProgress = startProgressLine(context.stderr, (elapsed) => {
        const done = (latest?.events ?? 0) - (command.resumeFrom?.events ?? 0);
        return `verifying  ${(latest?.events ?? 0).toLocaleString('en-GB')} events  ${eventsPerSecond(done, elapsed)}  position ${latest?.position?.toString() ?? '-'}`;
      });
      const verified = await auditor
        .verifyLog({
          ...(command.at === undefined ? {} : { at: command.at }),
          ...(command.resumeFrom === undefined ? {} : { resumeFrom: command.resumeFrom }),
          onEvent: (digest) => {
            latest = digest;
          },
          ...signalOption,
        })
        .finally(stopProgress);
      const digestMatches =
        command.digest === undefined ? null : command.digest === verified.digest.digest;
      printJson(context.stdout, {
        complete: verified.complete,
        intact: verified.firstBreak === undefined,
        digest: verified.digest,
        digestMatches,
        breaks: verified.breaks,
        firstBreak:
          verified.firstBreak === undefined ? null : chainBreakToJson(verified.firstBreak),
      });
      if (!verified.complete) {
        const { position, events, digest } = verified.digest;
        context.stderr.write(
          `stopped; resume with: pnpm twinning audit verify${command.at === undefined ? '' : ` --at ${command.at.toString()}`} --resume-position ${position?.toString() ?? '0'} --resume-events ${events} --resume-digest ${digest}\n`,
        );
        return EXIT.interrupted;
      }
      return verified.firstBreak === undefined && digestMatches !== false
        ? EXIT.ok
        : EXIT.failedCheck;
    }
    case 'export': {
      let read = 0;
      const lines =
        command.scope.kind === 'agreement'
          ? auditor.exportAgreement(command.scope.agreementId, command.format, signalOption)
          : auditor.exportRecordedBetween(command.scope.from, command.scope.to, command.format, {
              ...signalOption,
              onEvent: (events) => {
                read = events;
              },
            });
      const stopProgress = startProgressLine(
        context.stderr,
        (elapsed) =>
          `exporting  ${read.toLocaleString('en-GB')} events read  ${eventsPerSecond(read, elapsed)}`,
      );
      try {
        await pipeline(Readable.from(lines), context.stdout, { end: false });
      } finally {
        stopProgress();
      }
      return context.signal?.aborted === true ? EXIT.interrupted : EXIT.ok;
    }
    case 'check-export': {
      const lines = createInterface({ input: createReadStream(command.file), crlfDelay: Infinity });
      const checked = await checkNdjsonExport(lines);
      printJson(context.stdout, {
        ok: checked.ok,
        events: checked.events,
        exportDigest: checked.exportDigest,
        firstBreak: checked.firstBreak === undefined ? null : chainBreakToJson(checked.firstBreak),
        problems: checked.problems,
      });
      return checked.ok ? EXIT.ok : EXIT.failedCheck;
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};

/** Runs one audit command; typed audit errors become a message on stderr and an exit code. */
export const runAuditCommand = async (
  command: AuditCommand,
  context: AuditCommandContext,
): Promise<number> => {
  try {
    return await runCommand(command, context);
  } catch (error) {
    if (!(error instanceof AuditError)) throw error;
    context.stderr.write(`${error.message}\n`);
    switch (error.code) {
      case 'AGREEMENT_NOT_FOUND':
      case 'REVISION_NOT_FOUND':
        return EXIT.notFound;
      case 'RECORD_UNREADABLE':
        return EXIT.unreadable;
      case 'INVALID_AUDIT_QUERY':
        return EXIT.usage;
      default: {
        const _exhaustive: never = error.code;
        return _exhaustive;
      }
    }
  }
};
