import { toAgreementStreamId, type AgreementId } from '@twinning/domain';
import type { EventStore, RecordedEvent } from '@twinning/event-store';
import { AuditError } from './audit-error.js';
import { toAgreementTimeline, type TimelineEvent } from './agreement-timeline.js';
import { exportEvents, type ExportFormat } from './audit-export.js';
import type { ChainBreak } from './chain-break.js';
import {
  checkStreamHead,
  verifyLog,
  verifyStream,
  type LogVerification,
  type StreamLink,
  type StreamVerification,
} from './chain-verification.js';
import type { LogDigest } from './log-digest.js';
import {
  describeChange,
  replayAgreement,
  type AgreementChange,
  type ReplayPoint,
  type ReplayedAgreement,
} from './replay.js';
import type { StreamHeads } from './stream-heads.js';

export interface AuditorDependencies {
  readonly store: EventStore;
  /** Where the store records each stream's end; lets verification see a removed tail. */
  readonly streamHeads?: StreamHeads;
  readonly now?: () => Date;
}

export interface LogVerificationRequest {
  /** Verify up to and including this position (default: to the end of the log). */
  readonly at?: bigint;
  /** Continue a run that stopped: its last digest (position, count, running digest). */
  readonly resumeFrom?: LogDigest;
  readonly onEvent?: (digest: LogDigest) => void;
  readonly signal?: AbortSignal;
}

export interface AgreementVerification extends StreamVerification {
  readonly agreementId: AgreementId;
}

/** Ends an iteration at the first item past the bound, without reading further pages. */
async function* upToPosition(
  events: AsyncIterable<RecordedEvent>,
  at: bigint | undefined,
): AsyncGenerator<RecordedEvent> {
  for await (const event of events) {
    if (at !== undefined && event.position > at) return;
    yield event;
  }
}

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};

/** Replay, verification and export over one event store: what the auditor routes and CLI call. */
export const createAuditor = (dependencies: AuditorDependencies) => {
  const { store, streamHeads } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  const timelineOf = async (agreementId: AgreementId): Promise<TimelineEvent[]> => {
    const recorded = await collect(store.readStream(toAgreementStreamId(agreementId)));
    if (recorded.length === 0) {
      throw new AuditError('AGREEMENT_NOT_FOUND', `no agreement ${agreementId}`);
    }
    return toAgreementTimeline(recorded);
  };

  const headFaults = (
    heads: readonly { streamId: string; revision: bigint; hash: string }[],
    found: ReadonlyMap<string, StreamLink>,
  ): ChainBreak[] =>
    heads.flatMap((head) => {
      const last = found.get(head.streamId);
      // An append after the heads were read only moves the stream past them.
      if (last !== undefined && last.revision > head.revision) return [];
      const fault = checkStreamHead(head, last);
      return fault === undefined ? [] : [fault];
    });

  return {
    timelineOf,

    async replay(agreementId: AgreementId, point: ReplayPoint): Promise<ReplayedAgreement> {
      return replayAgreement(await timelineOf(agreementId), point);
    },

    async change(agreementId: AgreementId, revision: bigint): Promise<AgreementChange> {
      return describeChange(await timelineOf(agreementId), revision);
    },

    async verifyAgreement(agreementId: AgreementId): Promise<AgreementVerification> {
      const streamId = toAgreementStreamId(agreementId);
      const head = await streamHeads?.headOf(streamId);
      const verified = await verifyStream(streamId, store.readStream(streamId));
      if (verified.events === 0 && head === undefined) {
        throw new AuditError('AGREEMENT_NOT_FOUND', `no agreement ${agreementId}`);
      }
      const tailFault =
        head === undefined
          ? undefined
          : headFaults(
              [head],
              new Map(verified.head === undefined ? [] : [[streamId, verified.head]]),
            )[0];
      return {
        ...verified,
        agreementId,
        firstBreak: verified.firstBreak ?? tailFault,
        breaks: verified.breaks + (tailFault === undefined ? 0 : 1),
      };
    },

    /**
     * Verifies every chain over the log and computes its digest. The stream heads are compared
     * only on a run to the end of the log, read before the scan so concurrent appends do not count.
     */
    async verifyLog(request: LogVerificationRequest = {}): Promise<LogVerification> {
      const heads =
        streamHeads !== undefined && request.at === undefined && request.resumeFrom === undefined
          ? await streamHeads.all()
          : undefined;
      const fromPosition =
        request.resumeFrom?.position === undefined ? undefined : request.resumeFrom.position + 1n;
      const verified = await verifyLog(
        upToPosition(store.readAll(fromPosition === undefined ? {} : { fromPosition }), request.at),
        {
          ...(request.resumeFrom === undefined ? {} : { resumeFrom: request.resumeFrom }),
          predecessorOf: async (streamId, revision) => {
            for await (const event of store.readStream(streamId, {
              fromRevision: revision,
              maxCount: 1,
            })) {
              return event.revision === revision ? event : undefined;
            }
            return undefined;
          },
          ...(request.onEvent === undefined ? {} : { onEvent: request.onEvent }),
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        },
      );
      if (heads === undefined || !verified.complete) return verified;
      const faults = headFaults(heads, verified.heads);
      return {
        ...verified,
        firstBreak: verified.firstBreak ?? faults[0],
        breaks: verified.breaks + faults.length,
      };
    },

    exportAgreement(
      agreementId: AgreementId,
      format: ExportFormat,
      options: { readonly signal?: AbortSignal } = {},
    ): AsyncGenerator<string> {
      const streamId = toAgreementStreamId(agreementId);
      return exportEvents(store.readStream(streamId), {
        format,
        scope: { kind: 'stream', streamId },
        exportedAt: now(),
        ...options,
      });
    },

    exportRecordedBetween(
      from: Date,
      to: Date,
      format: ExportFormat,
      options: {
        readonly signal?: AbortSignal;
        readonly onEvent?: (read: number, exported: number) => void;
      } = {},
    ): AsyncGenerator<string> {
      if (!(from.getTime() < to.getTime())) {
        throw new AuditError('INVALID_AUDIT_QUERY', 'the time range must end after it starts');
      }
      return exportEvents(store.readAll(), {
        format,
        scope: { kind: 'recorded_between', from, to },
        exportedAt: now(),
        ...options,
      });
    },
  };
};

export type Auditor = ReturnType<typeof createAuditor>;
