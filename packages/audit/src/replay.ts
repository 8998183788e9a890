import {
  AgreementReplayError,
  foldEvents,
  initialState,
  lifecycleStateOf,
  toAgreementView,
  type AgreementState,
  type AgreementView,
  type Actor,
  type IsoDate,
} from '@twinning/domain';
import { AuditError } from './audit-error.js';
import type { TimelineEvent } from './agreement-timeline.js';

/**
 * The moment a replay stops at.
 * - `latest`: every event.
 * - `revision`: events up to and including this revision.
 * - `recorded` ("as recorded at"): the events known at `at` (`knownSince <= at`).
 * - `in_force` ("as in force on"): among the events known at `knownAt` (default: all recorded
 *   so far), those in effect on `on` (`effectiveOn <= on`).
 */
export type ReplayPoint =
  | { readonly kind: 'latest' }
  | { readonly kind: 'revision'; readonly revision: bigint }
  | { readonly kind: 'recorded'; readonly at: Date }
  | { readonly kind: 'in_force'; readonly on: IsoDate; readonly knownAt?: Date };

export interface ReplayedAgreement {
  readonly point: ReplayPoint;
  /** Revision of the last event folded in; `undefined` when none is (nothing existed yet). */
  readonly revision: bigint | undefined;
  readonly eventsApplied: number;
  /** The lifecycle machine version the stream was created under and replayed with. */
  readonly machineVersion: number | undefined;
  /** `null` when no event falls before the point: the agreement did not exist then. */
  readonly view: AgreementView | null;
  /** Active (not suspended, not ended) at that point. */
  readonly inForce: boolean;
}

const includes = (point: ReplayPoint, entry: TimelineEvent): boolean => {
  switch (point.kind) {
    case 'latest':
      return true;
    case 'revision':
      return entry.stored.revision <= point.revision;
    case 'recorded':
      return entry.knownSince.getTime() <= point.at.getTime();
    case 'in_force':
      return (
        entry.effectiveOn <= point.on &&
        (point.knownAt === undefined || entry.knownSince.getTime() <= point.knownAt.getTime())
      );
    default: {
      const _exhaustive: never = point;
      return _exhaustive;
    }
  }
};

/** How many leading events of the timeline the point selects (always a prefix: see the timeline). */
export const prefixLength = (timeline: readonly TimelineEvent[], point: ReplayPoint): number => {
  const firstExcluded = timeline.findIndex((entry) => !includes(point, entry));
  return firstExcluded === -1 ? timeline.length : firstExcluded;
};

export const foldTimeline = (timeline: readonly TimelineEvent[]): AgreementState => {
  try {
    return foldEvents(
      timeline.map((entry) => entry.stored.event),
      initialState,
    );
  } catch (error) {
    if (error instanceof AgreementReplayError) {
      throw new AuditError('RECORD_UNREADABLE', error.message);
    }
    throw error;
  }
};

const replayedFrom = (point: ReplayPoint, applied: readonly TimelineEvent[]): ReplayedAgreement => {
  const state = foldTimeline(applied);
  const view = toAgreementView(state);
  return {
    point,
    revision: applied.at(-1)?.stored.revision,
    eventsApplied: applied.length,
    machineVersion: view?.machineVersion,
    view,
    inForce: view !== null && lifecycleStateOf(state) === 'active',
  };
};

/** The agreement as it stood at the point, rebuilt under the machine version of its stream. */
export const replayAgreement = (
  timeline: readonly TimelineEvent[],
  point: ReplayPoint,
): ReplayedAgreement => {
  if (point.kind === 'revision') {
    const last = timeline.at(-1)?.stored.revision;
    if (point.revision < 0n || last === undefined || point.revision > last) {
      throw new AuditError(
        'REVISION_NOT_FOUND',
        `no revision ${point.revision.toString()} (the stream ends at ${last?.toString() ?? 'nothing'})`,
      );
    }
  }
  return replayedFrom(point, timeline.slice(0, prefixLength(timeline, point)));
};

/** One event with the agreement before and after it, and who did it, why, and in reply to what. */
export interface AgreementChange {
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly actor: Actor;
  /** The reason the event's data gives, where it gives one. */
  readonly reason: string | null;
  readonly correlationId: string;
  readonly causationId: string;
  readonly recordedAt: string;
  readonly businessDate: IsoDate;
  readonly knownSince: Date;
  readonly effectiveOn: IsoDate;
  readonly machineVersion: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly before: AgreementView | null;
  readonly after: AgreementView | null;
}

const reasonOf = (data: object): string | null =>
  'reason' in data && typeof data.reason === 'string' ? data.reason : null;

export const describeChange = (
  timeline: readonly TimelineEvent[],
  revision: bigint,
): AgreementChange => {
  const index = timeline.findIndex((entry) => entry.stored.revision === revision);
  const entry = timeline[index];
  if (entry === undefined) {
    throw new AuditError('REVISION_NOT_FOUND', `no event at revision ${revision.toString()}`);
  }
  const beforeState = foldTimeline(timeline.slice(0, index));
  const before = toAgreementView(beforeState);
  const after = toAgreementView(foldTimeline(timeline.slice(0, index + 1)));
  const { stored } = entry;
  return {
    revision: stored.revision,
    position: stored.position,
    eventId: stored.id,
    type: stored.event.type,
    data: stored.event.data,
    actor: stored.metadata.actor,
    reason: reasonOf(stored.event.data),
    correlationId: stored.metadata.correlationId,
    causationId: stored.metadata.causationId,
    recordedAt: stored.metadata.recordedAt,
    businessDate: entry.businessDate,
    knownSince: entry.knownSince,
    effectiveOn: entry.effectiveOn,
    machineVersion: stored.metadata.machineVersion,
    prevHash: stored.prevHash,
    hash: stored.hash,
    before,
    after,
  };
};
