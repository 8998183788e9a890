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
  /**
   * Host only these projections (and the reactors built on them); all when absent. Several
   * projector processes, each with its own share, rebuild on as many cores.
   */
  readonly only?: readonly string[];
}

/** A projector asked to host a projection it does not know. */
export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
}

/** What Twinning's projector hosts: every read model the queries use, and the expiry reactor. */
export const projectorWorkload = (
  options: ProjectorWorkloadOptions,
): { projections: readonly Projection[]; reactors: readonly Reactor[] } => {
  // The auditors' in-force intervals are a read model like the others.
  const projections = [...READ_MODEL_PROJECTIONS, inForceProjection];
  const reactors = [
    createExpiryReactor({
      store: options.store,
      now: options.now,
      ...(options.businessDate === undefined ? {} : { businessDate: options.businessDate }),
      ...(options.expiryCheckIntervalMs === undefined
        ? {}
        : { intervalMs: options.expiryCheckIntervalMs }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    }),
  ];
  const { only } = options;
  if (only === undefined) return { projections, reactors };
  const known = [...projections, ...reactors.map((reactor) => reactor.projection)].map(
    (projection) => projection.name,
  );
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UnknownProjectionError(
      `no projection named ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
  }
  return {
    projections: projections.filter((projection) => only.includes(projection.name)),
    reactors: reactors.filter((reactor) => only.includes(reactor.projection.name)),
  };
};
