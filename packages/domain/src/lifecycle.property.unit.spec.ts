import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, DecisionContext, PartyRole } from './actor.js';
import { allowedCommands } from './allowed-commands.js';
import { initialState, type AgreementState } from './agreement-state.js';
import { toAgreementView } from './agreement-view.js';
import { COMMAND_TYPES, type Command, type CommandType } from './commands.js';
import { decide } from './decide.js';
import { REJECTION_REASONS } from './domain-error.js';
import type { AgreementEvent } from './events.js';
import { foldEvents } from './evolve.js';
import { laterOf, type IsoDate } from './ids.js';
import { AGREEMENT_KINDS } from './terms.js';
import { upcast } from './upcasting.js';
import {
  auditor,
  city,
  clerkOf,
  coventry,
  date,
  dresden,
  expiryReactor,
  kiel,
  stalingrad,
  storyOf,
  terms,
} from './testing/agreement-story.js';

const DAY = 86_400_000;
const plusDays = (from: IsoDate, days: number): IsoDate =>
  date(new Date(Date.parse(from) + days * DAY).toISOString().slice(0, 10));

const actorChoices = [
  'own',
  'own',
  'own',
  'own',
  'own',
  'own',
  'other',
  'outsider',
  'homeless',
  'auditor',
  'admin',
  'system',
] as const;

/** One step of a random story: a command type and the random choices that fill it in. */
const stepArb = fc.record({
  command: fc.constantFrom(...COMMAND_TYPES),
  /**
   * Most steps take a command the present state has a transition for, so that stories get past
   * negotiation; the rest take any command at all. Either is then filled in at random.
   */
  steered: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
  pick: fc.nat(),
  mayGoBack: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  party: fc.constantFrom<PartyRole>('proposer', 'partner'),
  actor: fc.constantFrom(...actorChoices),
  evidence: fc.boolean(),
  versionShift: fc.constantFrom(0, 0, 0, 0, -1, 1),
  days: fc.integer({ min: -30, max: 400 }),
  termDays: fc.integer({ min: -10, max: 1500 }),
  kind: fc.constantFrom(...AGREEMENT_KINDS),
  fixedTerm: fc.boolean(),
});
type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

const storyArb = fc.record({
  cities: fc.oneof(
    {
      weight: 7,
      arbitrary: fc.constantFrom([coventry, kiel], [dresden, stalingrad], [kiel, dresden]),
    },
    { weight: 1, arbitrary: fc.constant([coventry, coventry]) },
  ),
  councils: fc.tuple(fc.boolean(), fc.boolean()),
  represented: fc.subarray<PartyRole>(['proposer', 'partner']),
  proposal: stepArb.map((step): Step => ({ ...step, command: 'ProposeAgreement' })),
  steps: fc.array(stepArb, { minLength: 10, maxLength: 40, size: 'max' }),
});
type StoryInput = typeof storyArb extends fc.Arbitrary<infer S> ? S : never;

interface Run {
  readonly transcript: {
    readonly before: AgreementState;
    readonly command: Command;
    readonly context: DecisionContext;
    readonly accepted: readonly AgreementEvent[] | null;
  }[];
  readonly state: AgreementState;
  readonly events: readonly AgreementEvent[];
}

const run = (input: StoryInput): Run => {
  const [proposerCity, partnerCity] = input.cities;
  const proposer = city(
    proposerCity.cityId,
    proposerCity.name,
    proposerCity.country,
    input.councils[0],
  );
  const partner = city(
    partnerCity.cityId,
    partnerCity.name,
    partnerCity.country,
    input.councils[1],
  );
  const story = storyOf({ proposer, partner });
  const context: DecisionContext = {
    citiesWithClerks: input.represented.map(
      (party) => (party === 'proposer' ? proposer : partner).cityId,
    ),
  };
  const outsider = clerkOf(input.cities[0].cityId === coventry.cityId ? dresden : coventry);

  let state = initialState;
  let cursor = date('2019-01-01');
  const events: AgreementEvent[] = [];
  const transcript: Run['transcript'][number][] = [];

  const commandFor = (step: Step): Command => {
    const party =
      step.command === 'WithdrawProposal'
        ? 'proposer'
        : step.command === 'DeclineProposal'
          ? 'partner'
          : step.party;
    const own = party === 'proposer' ? proposer : partner;
    const other = party === 'proposer' ? partner : proposer;
    const actors: Record<(typeof actorChoices)[number], Actor> = {
      own: step.command === 'ExpireAgreement' ? expiryReactor : clerkOf(own),
      other: clerkOf(other),
      outsider,
      homeless: { subject: 'clerk@nowhere', role: 'clerk' },
      auditor,
      admin: { subject: 'admin', role: 'admin', municipality: own.cityId },
      system: expiryReactor,
    };
    const acted = {
      by: actors[step.actor],
      ...(step.evidence ? { evidence: { reference: 'minutes' } } : {}),
    };
    const view = toAgreementView(state);
    const version = Math.max(1, (view?.terms.version ?? 1) + step.versionShift);
    const on = plusDays(cursor, step.days);
    const startDate = plusDays(on, Math.abs(step.days));
    const endDate = plusDays(startDate, step.termDays);
    const randomTerms = terms({
      kind: step.kind,
      startDate,
      ...(step.fixedTerm || step.kind === 'cooperation'
        ? { endDate: endDate > startDate ? endDate : plusDays(startDate, 1) }
        : {}),
    });
    const currentEnd = view?.terms.endDate ?? on;
    const earliestActivation =
      view === null
        ? null
        : laterOf(view.terms.startDate, view.dates.signedOn ?? view.terms.startDate);
    switch (step.command) {
      case 'ProposeAgreement':
        return story.propose(on, { ...acted, terms: randomTerms });
      case 'CounterProposeTerms':
        return story.counterPropose(party, on, randomTerms, acted);
      case 'AcceptTerms':
        return story.accept(party, on, { ...acted, version });
      case 'RecordCouncilApproval':
        return story.approve(party, on, { ...acted, version });
      case 'RecordSignature':
        return story.sign(party, on, { ...acted, version });
      case 'ActivateAgreement':
        return story.activate(
          party,
          earliestActivation !== null && step.days > 100 ? earliestActivation : on,
          acted,
        );
      case 'SuspendAgreement':
        return story.suspend(party, on, acted);
      case 'ReinstateAgreement':
        return story.reinstate(party, on, acted);
      case 'RenewAgreement':
        return story.renew(party, on, plusDays(currentEnd, step.termDays), acted);
      case 'TerminateAgreement':
        return story.terminate(party, on, acted);
      case 'WithdrawProposal':
        return story.withdraw(on, acted);
      case 'DeclineProposal':
        return story.decline(on, acted);
      case 'ExpireAgreement':
        return story.expire(step.days > 100 ? currentEnd : on, acted);
      default: {
        const _exhaustive: never = step.command;
        return _exhaustive;
      }
    }
  };

  // Commands that end a story or send it back to the start are steered to only now and then.
  const SETBACKS: readonly CommandType[] = [
    'CounterProposeTerms',
    'WithdrawProposal',
    'DeclineProposal',
    'TerminateAgreement',
  ];
  const steer = (step: Step): Step => {
    const open = allowedCommands(state).filter(
      (type) => step.mayGoBack || !SETBACKS.includes(type),
    );
    const chosen = open[step.pick % Math.max(1, open.length)];
    return step.steered && chosen !== undefined ? { ...step, command: chosen } : step;
  };

  for (const step of [input.proposal, ...input.steps]) {
    const command = commandFor(steer(step));
    const result = decide(command, state, context);
    transcript.push({ before: state, command, context, accepted: result.ok ? result.value : null });
    if (!result.ok) {
      expect(REJECTION_REASONS).toContain(result.error.reason);
      continue;
    }
    events.push(...result.value);
    state = foldEvents(result.value, state);
    cursor = plusDays(cursor, Math.max(0, step.days));
  }
  return { transcript, state, events };
};

/** How the events would come back from the store: JSON, then upcast. */
const storedAndReadBack = (events: readonly AgreementEvent[]): AgreementEvent[] =>
  events.map((event) => {
    const read = upcast(event.type, event.schemaVersion, JSON.parse(JSON.stringify(event.data)));
    if (!read.ok) throw new Error(`${event.type} did not read back: ${read.error.message}`);
    return read.value;
  });

const NUM_RUNS = 300;

describe('random command sequences', () => {
  it('never emit an event the machine would not accept on replay, and replay to the state decided', () => {
    fc.assert(
      fc.property(storyArb, (input) => {
        const { state, events } = run(input);
        const replayed = foldEvents(storedAndReadBack(events));
        expect(toAgreementView(replayed)).toEqual(toAgreementView(state));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never reach activation without both signatures and the council approvals required', () => {
    let activated = 0;
    fc.assert(
      fc.property(storyArb, (input) => {
        const view = toAgreementView(run(input).state);
        if (view === null) return;
        if (view.dates.activatedOn !== null) activated += 1;
        if (view.dates.signedOn !== null || view.dates.activatedOn !== null) {
          for (const party of ['proposer', 'partner'] as const) {
            expect(view.signatures[party]).not.toBeNull();
            if (view[party].councilApprovalRequired)
              expect(view.councilApprovals[party]).not.toBeNull();
          }
        }
        if (['signed', 'active', 'suspended'].includes(view.lifecycleState)) {
          expect(view.dates.signedOn).not.toBeNull();
        }
      }),
      { numRuns: NUM_RUNS },
    );
    // The property means something only if a fair share of random stories do get that far.
    expect(activated).toBeGreaterThanOrEqual(NUM_RUNS / 30);
  });

  it('only accept commands that allowedCommands offered the same actor beforehand', () => {
    fc.assert(
      fc.property(storyArb, (input) => {
        for (const { before, command, context, accepted } of run(input).transcript) {
          if (accepted === null) continue;
          const offered: readonly CommandType[] = allowedCommands(before, {
            actor: command.actor,
            context,
          });
          expect(offered).toContain(command.type);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
