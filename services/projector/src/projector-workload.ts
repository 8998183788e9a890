import type { IsoDate } from '@twinning/domain';
import type { EventStore } from '@twinning/event-store';
import type { Projection, Reactor, RunnerLogger } from '@twinning/projections';
import { inForceProjection } from '@twinning/audit';
import { READ_MODEL_PROJECTIONS } from '@twinning/read-models';
import { createExpiryReactor } from './expiry/expiry-reactor.js';

export interface ProjectorWorkloadOptions {
  readonly store: EventStore;
  readonly now: () => Date;
  readonly businessDate?: (at: Date) => IsoDate;
  readonly expiryCheckIntervalMs?: number;
  readonly logger?: RunnerLogger;
}

/** What Twinning's projector hosts: every read model the queries use, and the expiry reactor. */
export const projectorWorkload = (
  options: ProjectorWorkloadOptions,
): { projections: readonly Projection[]; reactors: readonly Reactor[] } => ({
  // The auditors' in-force intervals are a read model like the others.
  projections: [...READ_MODEL_PROJECTIONS, inForceProjection],
  reactors: [
    createExpiryReactor({
      store: options.store,
      now: options.now,
      ...(options.businessDate === undefined ? {} : { businessDate: options.businessDate }),
      ...(options.expiryCheckIntervalMs === undefined
        ? {}
        : { intervalMs: options.expiryCheckIntervalMs }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    }),
  ],
});
