import {
  businessDateOf,
  decide,
  toAgreementStreamId,
  type AgreementId,
  type Command,
  type CommandType,
  type CityId,
  type DecisionContext,
  type DomainError,
} from '@twinning/domain';
import { ExpectedRevisionConflictError, type EventStore } from '@twinning/event-store';
import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import {
  encodeAgreementEvent,
  foldStoredEvents,
  loadAgreement,
  type LoadedAgreement,
  type StoredAgreementEvent,
} from './agreement-stream.js';
import type { EventMetadata } from './event-metadata.js';

/** Namespace for event ids derived from idempotency keys (uuid v5). */
const IDEMPOTENT_EVENT_ID_NAMESPACE = '6f1f4f0e-3b8c-4f5e-9a53-6c1b0a4c2d71';

export interface CommandDependencies {
  readonly store: EventStore;
  /** System time; injected so tests and replays control it. */
  readonly now: () => Date;
  /** Which of these cities have clerks of their own (the authority rules depend on it). */
  readonly citiesWithClerks: (cityIds: readonly CityId[]) => Promise<readonly CityId[]>;
}

export interface CommandRequest {
  readonly agreementId: AgreementId;
  /**
   * The command, or how to make it from the agreement as it stands (an HTTP body names no party;
   * which party the caller acts for depends on the agreement's cities). Made again on each retry.
   */
  readonly command: Command | ((agreement: LoadedAgreement) => Command);
  /** The revision the caller saw (`If-Match`); without it, conflicts are retried here. */
  readonly expectedRevision?: bigint;
  /** A retried request with the same key returns the first answer and appends nothing. */
  readonly idempotencyKey?: string;
  readonly correlationId: string;
  readonly causationId: string;
}

export interface CommandOutcome {
  readonly agreement: LoadedAgreement;
  /** The events this command appended (or, for a retry, had appended the first time). */
  readonly appended: readonly StoredAgreementEvent[];
  /** Global position of the last appended event: a query can wait for read models to reach it. */
  readonly position: bigint;
  /** True when the answer repeats an earlier request with the same idempotency key. */
  readonly replayed: boolean;
}

export type CommandFailure =
  | {
      readonly kind: 'rejected';
      readonly error: DomainError;
      readonly revision: bigint | undefined;
    }
  | { readonly kind: 'not_found' }
  | {
      readonly kind: 'revision_mismatch';
      readonly expected: bigint;
      readonly actual: bigint | undefined;
    }
  | { readonly kind: 'contended'; readonly attempts: number }
  | {
      readonly kind: 'idempotency_key_reused';
      readonly key: string;
      readonly firstCommandType: CommandType;
    };

export type CommandResult =
  | { readonly ok: true; readonly value: CommandOutcome }
  | { readonly ok: false; readonly error: CommandFailure };

const MAX_ATTEMPTS = 5;

/**
 * The one path every command takes: read the stream, rebuild the state, `decide`, append with
 * the expected revision. Authentication and the role check happen before (at the edge); who may
 * act for which party is the machine's decision.
 */
export const executeAgreementCommand = async (
  dependencies: CommandDependencies,
  request: CommandRequest,
): Promise<CommandResult> => {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const agreement = await loadAgreement(dependencies.store, request.agreementId);
    const command =
      typeof request.command === 'function' ? request.command(agreement) : request.command;
    if (command.agreementId !== request.agreementId) {
      throw new Error(`a command for ${command.agreementId} was sent to ${request.agreementId}`);
    }

    if (request.idempotencyKey !== undefined) {
      const earlier = answerFromEarlierRequest(agreement, command, request.idempotencyKey);
      if (earlier !== undefined) return earlier;
    }
    if (agreement.revision === undefined && command.type !== 'ProposeAgreement') {
      return { ok: false, error: { kind: 'not_found' } };
    }
    if (request.expectedRevision !== undefined && request.expectedRevision !== agreement.revision) {
      return {
        ok: false,
        error: {
          kind: 'revision_mismatch',
          expected: request.expectedRevision,
          actual: agreement.revision,
        },
      };
    }

    const context: DecisionContext = {
      citiesWithClerks: await dependencies.citiesWithClerks(partyCities(agreement, command)),
    };
    const decision = decide(command, agreement.state, context);
    if (!decision.ok) {
      return {
        ok: false,
        error: { kind: 'rejected', error: decision.error, revision: agreement.revision },
      };
    }

    const recordedAt = dependencies.now();
    const recordedOn = recordedAt.toISOString().slice(0, 10);
    const toAppend = decision.value.map((event, index) => {
      const occurredOn = businessDateOf(event);
      const metadata: EventMetadata = {
        actor: command.actor,
        correlationId: request.correlationId,
        causationId: request.causationId,
        recordedAt: recordedAt.toISOString(),
        ...(occurredOn !== recordedOn ? { occurredAt: occurredOn } : {}),
        machineVersion: agreement.state.machineVersion,
        schemaVersion: event.schemaVersion,
        commandType: command.type,
        ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
      };
      const id =
        request.idempotencyKey === undefined
          ? uuidv4()
          : // The command type is part of the name: two different commands racing with one key
            // must not pass for retries of each other when the store deduplicates by event id.
            uuidv5(
              `${request.agreementId}:${request.idempotencyKey}:${command.type}:${index}`,
              IDEMPOTENT_EVENT_ID_NAMESPACE,
            );
      return encodeAgreementEvent(id, event, metadata);
    });

    try {
      await dependencies.store.appendToStream(toAgreementStreamId(request.agreementId), toAppend, {
        expectedRevision: agreement.revision ?? 'no_stream',
      });
    } catch (error) {
      if (!(error instanceof ExpectedRevisionConflictError)) throw error;
      if (request.expectedRevision !== undefined) {
        const actual = error.actual === 'no_stream' ? undefined : error.actual;
        return {
          ok: false,
          error: { kind: 'revision_mismatch', expected: request.expectedRevision, actual },
        };
      }
      continue; // someone else acted first: read again and decide on what is there now
    }

    // Read back what was stored, so the answer carries positions, hashes and upcast shapes.
    const after = await loadAgreement(dependencies.store, request.agreementId);
    const appendedIds = new Set(toAppend.map((event) => event.id));
    return outcomeFor(after, appendedIds, false) ?? unreachableAppend(request.agreementId);
  }
  return { ok: false, error: { kind: 'contended', attempts: MAX_ATTEMPTS } };
};

const partyCities = (agreement: LoadedAgreement, command: Command): CityId[] => {
  if (command.type === 'ProposeAgreement') return [command.proposer.cityId, command.partner.cityId];
  const record = agreement.state.snapshot.context.agreement;
  return record === null ? [] : [record.proposer.cityId, record.partner.cityId];
};

const answerFromEarlierRequest = (
  agreement: LoadedAgreement,
  command: Command,
  key: string,
): CommandResult | undefined => {
  const earlier = agreement.events.filter((stored) => stored.metadata.idempotencyKey === key);
  const first = earlier[0];
  if (first === undefined) return undefined;
  if (first.metadata.commandType !== command.type) {
    return {
      ok: false,
      error: { kind: 'idempotency_key_reused', key, firstCommandType: first.metadata.commandType },
    };
  }
  const ids = new Set(earlier.map((stored) => stored.id));
  return outcomeFor(agreement, ids, true);
};

/** The state as it stood right after the events with these ids, which form one append. */
const outcomeFor = (
  agreement: LoadedAgreement,
  ids: ReadonlySet<string>,
  replayed: boolean,
): CommandResult | undefined => {
  const lastIndex = agreement.events.findLastIndex((stored) => ids.has(stored.id));
  const last = agreement.events[lastIndex];
  if (last === undefined) return undefined;
  const upTo = agreement.events.slice(0, lastIndex + 1);
  return {
    ok: true,
    value: {
      agreement: {
        agreementId: agreement.agreementId,
        state: foldStoredEvents(upTo),
        revision: last.revision,
        events: upTo,
      },
      appended: upTo.filter((stored) => ids.has(stored.id)),
      position: last.position,
      replayed,
    },
  };
};

const unreachableAppend = (agreementId: string): never => {
  throw new Error(`agreement ${agreementId}: appended events are missing when read back`);
};
