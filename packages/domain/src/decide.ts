import { transition } from 'xstate';
import type { DecisionContext } from './actor.js';
import { allowedCommands, factsAcceptedNow } from './allowed-commands.js';
import { lifecycleStateOf, type AgreementState } from './agreement-state.js';
import { candidateFact, consequentFact } from './command-facts.js';
import { CommandSchema, type Command } from './commands.js';
import type { DomainError, RejectionReason } from './domain-error.js';
import type { AgreementEvent } from './events.js';
import { machineForVersion } from './machine-versions.js';
import { err, ok, type Result } from './result.js';
import { firstBrokenRule, type Decision, type LifecycleEvent } from './rules.js';
import { refusalInState } from './state-reasons.js';

/**
 * How a command is decided, with the lifecycle machine as the only judge:
 *
 * 1. The command is parsed (its schema is the edge even for callers that built it in code).
 * 2. It becomes its candidate fact, the domain event it asks for, carrying the decision (actor
 *    and outside context) so that the machine's guards can judge who acts.
 * 3. `snapshot.can(fact)` answers whether it is allowed; `transition()` gives the next snapshot.
 * 4. A fact may have a consequence (the second acceptance agrees the terms, the second signature
 *    signs the agreement); it is offered to the new snapshot the same way and kept if accepted.
 * 5. The facts accepted, without the decision, are the events to append. Folding them with
 *    `evolve` runs the same transitions again, so what is stored is what was decided.
 *
 * When `can()` says no, the reason is named from the same sources the machine uses: an ended
 * machine, a state with no transition for the fact, or the first rule in `RULES_FOR` that fails.
 */
export const decide = (
  command: Command,
  state: AgreementState,
  context: DecisionContext,
): Result<readonly AgreementEvent[], DomainError> => {
  const parsed = CommandSchema.safeParse(command);
  if (!parsed.success) {
    return err({
      reason: 'INVALID_COMMAND',
      message: `the command does not fit its schema: ${parsed.error.message}`,
      allowedCommands: allowedCommands(state),
      issues: parsed.error.issues,
    });
  }
  const valid = parsed.data;
  const decision: Decision = { actor: valid.actor, context };
  const reject = (reason: RejectionReason, message: string) =>
    err({ reason, message, allowedCommands: allowedCommands(state, decision) });

  const agreement = state.snapshot.context.agreement;
  if (agreement !== null && agreement.agreementId !== valid.agreementId) {
    return reject(
      'WRONG_AGREEMENT',
      `the command is for agreement ${valid.agreementId}, not ${agreement.agreementId}`,
    );
  }

  const machine = machineForVersion(state.machineVersion);
  const fact = candidateFact(valid, agreement, state.machineVersion);
  const proposed: LifecycleEvent = { ...fact, decision };
  if (!state.snapshot.can(proposed)) {
    const refusal = explainRefusal(state, valid, proposed);
    return reject(refusal.reason, refusal.message);
  }

  const facts: AgreementEvent[] = [fact];
  let [snapshot] = transition(machine, state.snapshot, proposed);
  const consequence = consequentFact(snapshot.context.agreement, fact);
  if (consequence !== undefined && snapshot.can(consequence)) {
    [snapshot] = transition(machine, snapshot, consequence);
    facts.push(consequence);
  }
  return ok(facts);
};

const explainRefusal = (
  state: AgreementState,
  command: Command,
  fact: LifecycleEvent,
): { readonly reason: RejectionReason; readonly message: string } => {
  const lifecycle = lifecycleStateOf(state);
  if (state.snapshot.status === 'done') {
    return { reason: 'AGREEMENT_ENDED', message: `the agreement has ended (${lifecycle})` };
  }
  if (!factsAcceptedNow(state).has(fact.type)) {
    return lifecycle === 'not_proposed'
      ? { reason: 'AGREEMENT_NOT_FOUND', message: 'no agreement has been proposed under this id' }
      : refusalInState(command.type, lifecycle);
  }
  return (
    firstBrokenRule(state.snapshot.context.agreement, fact) ?? {
      // Unreachable while every guard is a rule in RULES_FOR; kept so a refusal always has a reason.
      reason: 'INVALID_COMMAND',
      message: `${command.type} is not allowed now`,
    }
  );
};
