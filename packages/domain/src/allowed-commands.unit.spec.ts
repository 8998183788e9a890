import { describe, expect, it } from 'vitest';
import { allowedCommands } from './allowed-commands.js';
import { initialState } from './agreement-state.js';
import {
  auditor,
  clerkOf,
  coventry,
  date,
  expiryReactor,
  kiel,
  storyOf,
  terms,
} from './testing/agreement-story.js';
import { given } from './testing/given-when-then.js';

const story = storyOf({
  proposer: coventry,
  partner: kiel,
  terms: terms({ kind: 'cooperation', startDate: date('2020-01-01'), endDate: date('2022-12-31') }),
});
const both = story.bothRepresented;
const asCoventry = { actor: clerkOf(coventry), context: both };
const asKiel = { actor: clerkOf(kiel), context: both };

const proposed = [story.propose('2019-01-10')];
const negotiated = [
  ...proposed,
  story.accept('proposer', '2019-02-01'),
  story.accept('partner', '2019-02-03'),
];
const active = [
  ...negotiated,
  story.approve('proposer', '2019-03-01'),
  story.sign('proposer', '2019-04-01'),
  story.sign('partner', '2019-04-20'),
  story.activate('proposer', '2020-01-01'),
];

describe('allowedCommands, read off the machine', () => {
  it('offers only a proposal before there is an agreement, and nothing to an auditor', () => {
    expect(allowedCommands(initialState)).toEqual(['ProposeAgreement']);
    expect(allowedCommands(initialState, { actor: auditor, context: both })).toEqual([]);
  });

  it('offers each party what it may do on a proposal', () => {
    const { state } = given(both, ...proposed);
    expect(allowedCommands(state, asCoventry)).toEqual([
      'CounterProposeTerms',
      'AcceptTerms',
      'WithdrawProposal',
    ]);
    expect(allowedCommands(state, asKiel)).toEqual([
      'CounterProposeTerms',
      'AcceptTerms',
      'DeclineProposal',
    ]);
  });

  it('stops offering acceptance to a party that has accepted, unless it may record for the other', () => {
    const { state } = given(both, ...proposed, story.accept('proposer', '2019-02-01'));
    expect(allowedCommands(state, asCoventry)).not.toContain('AcceptTerms');
    expect(
      allowedCommands(state, { actor: clerkOf(coventry), context: story.onlyProposerRepresented }),
    ).toContain('AcceptTerms');
  });

  it('offers a signature only once the council has approved where it must', () => {
    const { state } = given(both, ...negotiated);
    expect(allowedCommands(state, asCoventry)).toEqual([
      'CounterProposeTerms',
      'RecordCouncilApproval',
      'WithdrawProposal',
    ]);
    expect(allowedCommands(state, asKiel)).toEqual([
      'CounterProposeTerms',
      'RecordCouncilApproval',
      'RecordSignature',
      'DeclineProposal',
    ]);
  });

  it('offers expiry to the system and the rest to clerks on an active fixed-term agreement', () => {
    const { state } = given(both, ...active);
    expect(allowedCommands(state)).toEqual([
      'SuspendAgreement',
      'RenewAgreement',
      'TerminateAgreement',
      'ExpireAgreement',
    ]);
    expect(allowedCommands(state, asKiel)).toEqual([
      'SuspendAgreement',
      'RenewAgreement',
      'TerminateAgreement',
    ]);
    expect(allowedCommands(state, { actor: expiryReactor, context: both })).toEqual([
      'ExpireAgreement',
    ]);
  });

  it('offers neither renewal nor expiry on an open-ended agreement', () => {
    const openEnded = storyOf({ proposer: kiel, partner: coventry, terms: terms() });
    const { state } = given(
      openEnded.bothRepresented,
      openEnded.propose('2019-01-10'),
      openEnded.accept('proposer', '2019-02-01'),
      openEnded.accept('partner', '2019-02-03'),
      openEnded.approve('partner', '2019-03-01'),
      openEnded.sign('proposer', '2019-04-01'),
      openEnded.sign('partner', '2019-04-20'),
      openEnded.activate('proposer', '2020-01-01'),
    );
    expect(allowedCommands(state)).toEqual(['SuspendAgreement', 'TerminateAgreement']);
  });

  it('is what a rejection offers the same actor', () => {
    const error = given(both, ...active)
      .when(story.reinstate('partner', '2021-01-01'))
      .thenRejected('NOT_SUSPENDED');
    expect(error.allowedCommands).toEqual([
      'SuspendAgreement',
      'RenewAgreement',
      'TerminateAgreement',
    ]);
  });
});
