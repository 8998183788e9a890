import { transition } from 'xstate';
import {
  initialStateFor,
  initialState,
  lifecycleStateOf,
  type AgreementState,
} from './agreement-state.js';
import type { AgreementEvent } from './events.js';
import { machineForVersion } from './machine-versions.js';
import { AgreementReplayError } from './replay-error.js';

/**
 * Folds one stored (and upcast) event into the state through the pure `transition()` of the
 * machine version the stream was created under. A fact the machine does not accept means the
 * stream and the code disagree: that is an `AgreementReplayError`, never a silent skip.
 */
export const evolve = (state: AgreementState, event: AgreementEvent): AgreementState => {
  const startsStream =
    event.type === 'AgreementProposed' && lifecycleStateOf(state) === 'not_proposed';
  // A stream is replayed under the machine version its first event names, not today's.
  const current = startsStream ? initialStateFor(event.data.machineVersion) : state;
  if (!current.snapshot.can(event)) {
    throw new AgreementReplayError(
      'EVENT_REJECTED_ON_REPLAY',
      `${event.type} is not accepted in state ${lifecycleStateOf(current)} (machine version ${current.machineVersion})`,
    );
  }
  const [snapshot] = transition(machineForVersion(current.machineVersion), current.snapshot, event);
  return { machineVersion: current.machineVersion, snapshot };
};

export const foldEvents = (
  events: Iterable<AgreementEvent>,
  from: AgreementState = initialState,
): AgreementState => {
  let state = from;
  for (const event of events) state = evolve(state, event);
  return state;
};
