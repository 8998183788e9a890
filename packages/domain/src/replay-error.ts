/**
 * Thrown when a stored stream cannot be folded: it names a machine version this code does not
 * have, or holds a fact the machine it was created under does not accept. Either means the store
 * and the code disagree, which no command can repair, so it is an exception and not a `Result`.
 */
export class AgreementReplayError extends Error {
  override readonly name = 'AgreementReplayError';

  constructor(
    readonly code: 'UNKNOWN_MACHINE_VERSION' | 'EVENT_REJECTED_ON_REPLAY',
    message: string,
  ) {
    super(message);
  }
}
