import { describe, expect, it } from 'vitest';
import { initialState } from './agreement-state.js';
import { toAgreementView } from './agreement-view.js';
import type { AgreementEvent } from './events.js';
import { evolve, foldEvents } from './evolve.js';
import { KNOWN_MACHINE_VERSIONS, MACHINE_VERSION } from './machine-versions.js';
import { AgreementReplayError } from './replay-error.js';
import { coventry, kiel, storyOf } from './testing/agreement-story.js';
import { given } from './testing/given-when-then.js';

const story = storyOf({ proposer: coventry, partner: kiel });
const { events } = given(
  story.bothRepresented,
  story.propose('2019-01-10'),
  story.accept('proposer', '2019-02-01'),
  story.accept('partner', '2019-02-03'),
);
const [proposal] = events as [AgreementEvent & { type: 'AgreementProposed' }, ...AgreementEvent[]];

const replayError = (fold: () => unknown): AgreementReplayError => {
  try {
    fold();
  } catch (error) {
    if (error instanceof AgreementReplayError) return error;
    throw error;
  }
  throw new Error('expected an AgreementReplayError');
};

describe('evolve and foldEvents', () => {
  it('there is no agreement before the first event', () => {
    expect(toAgreementView(initialState)).toBeNull();
    expect(toAgreementView(foldEvents([]))).toBeNull();
  });

  it('folding the events is evolving them one by one', () => {
    expect(foldEvents(events)).toEqual(events.reduce(evolve, initialState));
    expect(toAgreementView(foldEvents(events))?.lifecycleState).toBe('negotiated');
  });

  it('records the machine version in the first event and replays under it', () => {
    expect(MACHINE_VERSION).toBe(1);
    expect(KNOWN_MACHINE_VERSIONS).toContain(MACHINE_VERSION);
    expect(proposal.data.machineVersion).toBe(MACHINE_VERSION);
    expect(foldEvents(events).machineVersion).toBe(MACHINE_VERSION);
    expect(toAgreementView(foldEvents(events))?.machineVersion).toBe(MACHINE_VERSION);
  });

  it('a stream created under a machine version this code lacks is a clear error', () => {
    const fromTheFuture = { ...proposal, data: { ...proposal.data, machineVersion: 99 } };
    const error = replayError(() => foldEvents([fromTheFuture]));
    expect(error.code).toBe('UNKNOWN_MACHINE_VERSION');
    expect(error.message).toContain('99');
  });

  it('a fact the machine does not accept in the replayed state is a clear error', () => {
    const [, ...rest] = events;
    expect(replayError(() => foldEvents(rest)).code).toBe('EVENT_REJECTED_ON_REPLAY');
    expect(replayError(() => foldEvents([...events, proposal])).code).toBe(
      'EVENT_REJECTED_ON_REPLAY',
    );
  });
});
