import { expect } from 'vitest';
import type { DecisionContext } from '../actor.js';
import { initialState, type AgreementState } from '../agreement-state.js';
import type { Command } from '../commands.js';
import { decide } from '../decide.js';
import type { DomainError, RejectionReason } from '../domain-error.js';
import type { AgreementEvent, AgreementEventType } from '../events.js';
import { evolve, foldEvents } from '../evolve.js';
import type { Result } from '../result.js';

/**
 * Given these commands were accepted, when this command is decided, then these events (or this
 * rejection). Given commands go through `decide` and `evolve` like any other, so a test's set-up
 * obeys the same rules as its subject.
 */

export interface Decided {
  readonly state: AgreementState;
  readonly events: readonly AgreementEvent[];
}

export const decideAll = (
  commands: readonly Command[],
  context: DecisionContext,
  from: AgreementState = initialState,
): Decided => {
  let state = from;
  const events: AgreementEvent[] = [];
  for (const command of commands) {
    const result = decide(command, state, context);
    if (!result.ok) {
      throw new Error(
        `given ${command.type} was rejected: ${result.error.reason} (${result.error.message})`,
      );
    }
    events.push(...result.value);
    state = result.value.reduce(evolve, state);
  }
  return { state, events };
};

export const given = (context: DecisionContext, ...commands: Command[]) => {
  const past = decideAll(commands, context);
  return {
    ...past,
    when: (command: Command, whenContext: DecisionContext = context) => {
      const result: Result<readonly AgreementEvent[], DomainError> = decide(
        command,
        past.state,
        whenContext,
      );
      return {
        result,
        then: (...expected: AgreementEventType[]): readonly AgreementEvent[] => {
          if (!result.ok) {
            throw new Error(
              `expected ${expected.join(', ')} but was rejected: ${result.error.reason} (${result.error.message})`,
            );
          }
          expect(result.value.map((event) => event.type)).toEqual(expected);
          return result.value;
        },
        thenRejected: (reason: RejectionReason): DomainError => {
          expect(result.ok ? result.value.map((event) => event.type) : result.error.reason).toBe(
            reason,
          );
          if (result.ok) throw new Error('unreachable: the expectation above has failed');
          return result.error;
        },
        /** The state after folding the events the command produced. */
        stateAfter: (): AgreementState => {
          if (!result.ok) throw new Error(`rejected: ${result.error.reason}`);
          return foldEvents(result.value, past.state);
        },
      };
    },
  };
};
