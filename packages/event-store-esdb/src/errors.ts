/** The connection string is neither an `esdb://`/`esdb+discover://` nor a `kurrentdb://` URL the client can parse. */
export class InvalidConnectionStringError extends Error {
  override readonly name = 'InvalidConnectionStringError';
  // The connection string itself stays out of the error: it may carry a password.
  constructor(reason: string) {
    super(`Invalid EventStoreDB connection string: ${reason}`);
  }
}

/**
 * An event in the server that this adapter did not write (or that lost its hash-chain metadata):
 * it cannot be returned as a port `RecordedEvent`.
 */
export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';
  constructor(
    readonly streamId: string,
    readonly eventId: string,
    reason: string,
  ) {
    super(`Event ${eventId} in ${streamId} cannot be read: ${reason}`);
  }
}
