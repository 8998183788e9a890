import { agreementMachineV1, type AgreementMachine } from './machine.js';
import { AgreementReplayError } from './replay-error.js';

/** The version new agreements are created under; recorded in each stream's first event. */
export const MACHINE_VERSION = 1;

/** Every machine version a stored stream may name. Old versions stay so old streams replay as they were decided. */
const MACHINES: ReadonlyMap<number, AgreementMachine> = new Map([[1, agreementMachineV1]]);

export const KNOWN_MACHINE_VERSIONS: readonly number[] = [...MACHINES.keys()];

export const machineForVersion = (version: number): AgreementMachine => {
  const machine = MACHINES.get(version);
  if (machine === undefined) {
    throw new AgreementReplayError(
      'UNKNOWN_MACHINE_VERSION',
      `no lifecycle machine version ${version} (known: ${KNOWN_MACHINE_VERSIONS.join(', ')})`,
    );
  }
  return machine;
};
