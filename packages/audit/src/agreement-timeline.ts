import {
  UnreadableEventError,
  businessDateOf,
  decodeAgreementEvent,
  type StoredAgreementEvent,
} from '@twinning/agreements';
import type { IsoDate } from '@twinning/domain';
import type { RecordedEvent } from '@twinning/event-store';
import { AuditError } from './audit-error.js';

/**
 * One event of an agreement with its two audit times.
 *
 * - `knownSince`: the latest `recordedAt` of this event and every event before it in the
 *   stream. The stream is the order the rules were applied in, so an event only becomes part of
 *   the record together with everything before it; with one clock this is simply `recordedAt`.
 * - `effectiveOn`: the latest business date of this event and every event before it. An act
 *   takes effect on its own business date, but never before an act the stream applied ahead of
 *   it. From signing on the lifecycle guards keep business dates in stream order, so there this
 *   is exactly the act's own date.
 *
 * Both are running maxima, so "known at t" and "in force on d" always select a prefix of the
 * stream, which the machine can always fold.
 */
export interface TimelineEvent {
  readonly stored: StoredAgreementEvent;
  readonly businessDate: IsoDate;
  readonly knownSince: Date;
  readonly effectiveOn: IsoDate;
}

/** Decodes and places the events of one stream, in revision order. */
export const toAgreementTimeline = (recorded: readonly RecordedEvent[]): TimelineEvent[] => {
  const timeline: TimelineEvent[] = [];
  let knownSince = Number.NEGATIVE_INFINITY;
  let effectiveOn: IsoDate | undefined;
  for (const event of recorded) {
    let stored: StoredAgreementEvent;
    try {
      stored = decodeAgreementEvent(event);
    } catch (error) {
      if (error instanceof UnreadableEventError) {
        throw new AuditError('RECORD_UNREADABLE', error.message);
      }
      throw error;
    }
    const businessDate = businessDateOf(stored.event);
    knownSince = Math.max(knownSince, Date.parse(stored.metadata.recordedAt));
    effectiveOn =
      effectiveOn === undefined || businessDate > effectiveOn ? businessDate : effectiveOn;
    timeline.push({ stored, businessDate, knownSince: new Date(knownSince), effectiveOn });
  }
  return timeline;
};
