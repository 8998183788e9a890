import { createInMemoryEventStore } from '@twinning/event-store';
import { ConfigError } from '@twinning/http-kit';
import { describe, expect, it } from 'vitest';
import { loadProjectorConfig } from './config.js';
import { UnknownProjectionError, projectorWorkload } from './projector-workload.js';

const workload = (only?: readonly string[]) =>
  projectorWorkload({
    store: createInMemoryEventStore(),
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...(only === undefined ? {} : { only }),
  });
const namesOf = (hosted: ReturnType<typeof workload>) => ({
  projections: hosted.projections.map((projection) => projection.name),
  reactors: hosted.reactors.map((reactor) => reactor.projection.name),
});

describe('what a projector process hosts', () => {
  it('hosts every read model and the expiry reactor by default', () => {
    expect(namesOf(workload())).toEqual({
      projections: ['agreements', 'audit_in_force'],
      reactors: ['expiry_schedule'],
    });
  });

  it('hosts only its share when told, so processes can split a rebuild between them', () => {
    expect(namesOf(workload(['agreements']))).toEqual({
      projections: ['agreements'],
      reactors: [],
    });
    expect(namesOf(workload(['audit_in_force', 'expiry_schedule']))).toEqual({
      projections: ['audit_in_force'],
      reactors: ['expiry_schedule'],
    });
  });

  it('refuses a projection it does not know, naming the ones it does', () => {
    expect(() => workload(['agreements', 'agreemnts'])).toThrow(UnknownProjectionError);
    expect(() => workload(['agreemnts'])).toThrow(
      'no projection named agreemnts (known: agreements, audit_in_force, expiry_schedule)',
    );
  });

  it('reads PROJECTOR_PROJECTIONS as a comma-separated list, and refuses anything else', () => {
    expect(loadProjectorConfig({}).projections).toBeUndefined();
    expect(
      loadProjectorConfig({ PROJECTOR_PROJECTIONS: 'agreements, audit_in_force' }).projections,
    ).toEqual(['agreements', 'audit_in_force']);
    expect(() => loadProjectorConfig({ PROJECTOR_PROJECTIONS: 'agreements;drop' })).toThrow(
      ConfigError,
    );
  });
});
