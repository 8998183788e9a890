import { getNextTransitions } from 'xstate';
import type { Actor, DecisionContext } from './actor.js';
import type { AgreementState } from './agreement-state.js';
import { FACT_OF_COMMAND, PARTIES_OF_COMMAND } from './command-facts.js';
import { COMMAND_TYPES, type CommandType } from './commands.js';
import type { AgreementEventType } from './events.js';
import { actCouldBeAllowed } from './rules.js';

/** Who is asking, with the outside facts their authority depends on. */
export interface Requester {
  readonly actor: Actor;
  readonly context: DecisionContext;
}

/** The facts the machine's present state nodes (and their ancestors) have a transition for. */
export const factsAcceptedNow = (state: AgreementState): ReadonlySet<AgreementEventType> =>
  state.snapshot.status === 'active'
    ? new Set(getNextTransitions(state.snapshot).map((t) => t.eventType as AgreementEventType))
    : new Set();

/**
 * The commands that could be accepted now, read off the machine: those whose fact the present
 * state has a transition for, and whose rules about who acts and about the state hold for at
 * least one party the requester could act for. Without a requester, authority is not judged.
 * Rules on a command's payload (dates, terms version, evidence) are left to `decide`.
 */
export const allowedCommands = (
  state: AgreementState,
  requester?: Requester,
): readonly CommandType[] => {
  const accepted = factsAcceptedNow(state);
  const agreement = state.snapshot.context.agreement;
  return COMMAND_TYPES.filter((command) => {
    const type = FACT_OF_COMMAND[command];
    return (
      accepted.has(type) &&
      PARTIES_OF_COMMAND[command].some((party) =>
        actCouldBeAllowed(agreement, { type, party, decision: requester }),
      )
    );
  });
};
