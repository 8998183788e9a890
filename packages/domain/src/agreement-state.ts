import { initialTransition, type SnapshotFrom } from 'xstate';
import type { AgreementMachine } from './machine.js';
import { MACHINE_VERSION, machineForVersion } from './machine-versions.js';
import type { LifecycleState } from './vocabulary.js';

export type AgreementSnapshot = SnapshotFrom<AgreementMachine>;

/**
 * The folded state of one agreement stream: the snapshot of the machine version the stream was
 * created under. Opaque to callers; `toAgreementView` gives the plain, serialisable picture.
 */
export interface AgreementState {
  readonly machineVersion: number;
  readonly snapshot: AgreementSnapshot;
}

export { LIFECYCLE_STATES, type LifecycleState } from './vocabulary.js';

export const initialStateFor = (machineVersion: number): AgreementState => ({
  machineVersion,
  snapshot: initialTransition(machineForVersion(machineVersion))[0],
});

/** No stream yet: what `decide` starts from for a proposal, and what `evolve` folds onto. */
export const initialState: AgreementState = initialStateFor(MACHINE_VERSION);

/** The innermost state the machine is in, e.g. `partially_signed`, or `not_proposed`. */
export const lifecycleStateOf = (state: AgreementState): LifecycleState | 'not_proposed' => {
  const value = state.snapshot.value;
  if (typeof value === 'string') return value;
  if ('negotiating' in value) return value.negotiating;
  return value.in_force;
};
