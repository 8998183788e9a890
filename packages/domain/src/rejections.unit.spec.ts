import { describe, expect, it } from 'vitest';
import type { Command } from './commands.js';
import {
  agreementId,
  coventry,
  date,
  kiel,
  stalingrad,
  storyOf,
  terms,
} from './testing/agreement-story.js';
import { given } from './testing/given-when-then.js';

const fixedTerm = terms({
  kind: 'cooperation',
  startDate: date('2020-01-01'),
  endDate: date('2022-12-31'),
});
const story = storyOf({ proposer: coventry, partner: kiel, terms: fixedTerm });
const ctx = story.bothRepresented;

const proposed = [story.propose('2019-01-10')];
const negotiated = [
  ...proposed,
  story.accept('proposer', '2019-02-01'),
  story.accept('partner', '2019-02-03'),
];
const approved = [...negotiated, story.approve('proposer', '2019-03-01')];
const partiallySigned = [...approved, story.sign('proposer', '2019-04-01')];
const signed = [...partiallySigned, story.sign('partner', '2019-04-20')];
const active = [...signed, story.activate('proposer', '2020-01-01')];
const suspended = [...active, story.suspend('proposer', '2021-03-01')];

describe('rules of negotiation', () => {
  it('a city cannot twin with itself', () => {
    const selfie = storyOf({ proposer: coventry, partner: coventry });
    given(selfie.bothRepresented)
      .when(selfie.propose('2019-01-10'))
      .thenRejected('SAME_CITY_ON_BOTH_SIDES');
  });

  it('an agreement is proposed once', () => {
    given(ctx, ...proposed)
      .when(story.propose('2019-01-11'))
      .thenRejected('AGREEMENT_ALREADY_EXISTS');
  });

  it('nothing but a proposal is decided for an agreement that does not exist', () => {
    const error = given(ctx)
      .when(story.accept('partner', '2019-02-03'))
      .thenRejected('AGREEMENT_NOT_FOUND');
    expect(error.allowedCommands).toEqual(['ProposeAgreement']);
  });

  it('a command addressed to another agreement is refused', () => {
    const other = storyOf({
      id: agreementId('6f9619ff-8b86-4d11-b42d-00c04fc964ff'),
      proposer: coventry,
      partner: kiel,
    });
    given(ctx, ...proposed)
      .when(other.accept('partner', '2019-02-03'))
      .thenRejected('WRONG_AGREEMENT');
  });

  it('acceptance must be of the current terms version', () => {
    given(ctx, ...proposed)
      .when(story.accept('partner', '2019-02-03', { version: 2 }))
      .thenRejected('TERMS_VERSION_NOT_CURRENT');
    const revised = story.counterPropose('partner', '2019-01-20', fixedTerm);
    given(ctx, ...proposed, revised)
      .when(story.accept('proposer', '2019-02-03', { version: 1 }))
      .thenRejected('TERMS_VERSION_NOT_CURRENT');
  });

  it('a party accepts the current terms once', () => {
    given(ctx, ...proposed, story.accept('partner', '2019-02-03'))
      .when(story.accept('partner', '2019-02-04'))
      .thenRejected('TERMS_ALREADY_ACCEPTED');
  });

  it('agreed terms are not accepted again', () => {
    given(ctx, ...negotiated)
      .when(story.accept('partner', '2019-02-04'))
      .thenRejected('TERMS_ALREADY_AGREED');
  });

  it('approval and signature wait for agreed terms', () => {
    given(ctx, ...proposed)
      .when(story.approve('proposer', '2019-03-01'))
      .thenRejected('TERMS_NOT_AGREED');
    given(ctx, ...proposed)
      .when(story.sign('partner', '2019-03-01'))
      .thenRejected('TERMS_NOT_AGREED');
  });

  it('a council approval refers to the current terms and is recorded once', () => {
    given(ctx, ...negotiated)
      .when(story.approve('proposer', '2019-03-01', { version: 2 }))
      .thenRejected('TERMS_VERSION_NOT_CURRENT');
    given(ctx, ...approved)
      .when(story.approve('proposer', '2019-03-02'))
      .thenRejected('COUNCIL_APPROVAL_ALREADY_RECORDED');
  });

  it('a party whose council must approve does not sign before it has', () => {
    given(ctx, ...negotiated)
      .when(story.sign('proposer', '2019-04-01'))
      .thenRejected('COUNCIL_APPROVAL_REQUIRED');
  });

  it('a party whose council need not approve signs without a resolution', () => {
    given(ctx, ...negotiated)
      .when(story.sign('partner', '2019-04-01'))
      .then('SignatureRecorded');
  });

  it('a signature refers to the current terms, and a party signs once', () => {
    given(ctx, ...approved)
      .when(story.sign('proposer', '2019-04-01', { version: 3 }))
      .thenRejected('TERMS_VERSION_NOT_CURRENT');
    given(ctx, ...partiallySigned)
      .when(story.sign('proposer', '2019-04-02'))
      .thenRejected('ALREADY_SIGNED_BY_PARTY');
  });

  it.each([
    ['counter-proposal', story.counterPropose('partner', '2019-05-01', fixedTerm)],
    ['withdrawal', story.withdraw('2019-05-01')],
    ['decline', story.decline('2019-05-01')],
    ['acceptance', story.accept('partner', '2019-05-01')],
    ['approval', story.approve('partner', '2019-05-01')],
    ['signature', story.sign('partner', '2019-05-01')],
  ])('no %s once the agreement is signed', (_act, command) => {
    given(ctx, ...signed)
      .when(command)
      .thenRejected('ALREADY_SIGNED');
  });
});

describe('rules of the agreement in force', () => {
  it('only a signed agreement is activated, and only once', () => {
    given(ctx, ...partiallySigned)
      .when(story.activate('proposer', '2020-01-01'))
      .thenRejected('NOT_SIGNED');
    given(ctx, ...active)
      .when(story.activate('proposer', '2020-01-02'))
      .thenRejected('ALREADY_ACTIVE');
  });

  it('activation is not before the effective date', () => {
    given(ctx, ...signed)
      .when(story.activate('proposer', '2019-12-31'))
      .thenRejected('BEFORE_EFFECTIVE_DATE');
  });

  it('a fixed-term agreement is not activated once its end date has come', () => {
    given(ctx, ...signed)
      .when(story.activate('proposer', '2022-12-31'))
      .thenRejected('END_DATE_PASSED');
  });

  it('an act is not dated before the previous change in the lifecycle', () => {
    given(ctx, ...active)
      .when(story.suspend('proposer', '2019-12-31'))
      .thenRejected('DATE_PRECEDES_PREVIOUS_ACT');
    given(ctx, ...suspended)
      .when(story.reinstate('proposer', '2021-02-28'))
      .thenRejected('DATE_PRECEDES_PREVIOUS_ACT');
    given(ctx, ...suspended)
      .when(story.terminate('partner', '2021-02-28'))
      .thenRejected('DATE_PRECEDES_PREVIOUS_ACT');
  });

  it('suspension only from active', () => {
    given(ctx, ...signed)
      .when(story.suspend('proposer', '2020-02-01'))
      .thenRejected('NOT_ACTIVE');
    given(ctx, ...suspended)
      .when(story.suspend('proposer', '2021-04-01'))
      .thenRejected('NOT_ACTIVE');
  });

  it('reinstatement only from suspended', () => {
    given(ctx, ...active)
      .when(story.reinstate('proposer', '2020-02-01'))
      .thenRejected('NOT_SUSPENDED');
  });

  it('renewal only of an active agreement', () => {
    given(ctx, ...suspended)
      .when(story.renew('proposer', '2021-04-01', '2025-12-31'))
      .thenRejected('NOT_ACTIVE');
  });

  it('renewal only of a fixed-term agreement, to a later end date', () => {
    given(ctx, ...active)
      .when(story.renew('proposer', '2021-04-01', '2022-12-31'))
      .thenRejected('END_DATE_NOT_LATER');
    given(ctx, ...active)
      .when(story.renew('proposer', '2021-04-01', '2021-12-31'))
      .thenRejected('END_DATE_NOT_LATER');
    const openEnded = storyOf({
      proposer: coventry,
      partner: kiel,
      terms: terms({ startDate: date('2020-01-01') }),
    });
    given(
      openEnded.bothRepresented,
      openEnded.propose('2019-01-10'),
      openEnded.accept('proposer', '2019-02-01'),
      openEnded.accept('partner', '2019-02-03'),
      openEnded.approve('proposer', '2019-03-01'),
      openEnded.sign('proposer', '2019-04-01'),
      openEnded.sign('partner', '2019-04-20'),
      openEnded.activate('proposer', '2020-01-01'),
    )
      .when(openEnded.renew('proposer', '2021-04-01', '2030-12-31'))
      .thenRejected('NOT_FIXED_TERM');
  });

  it('expiry only of a fixed-term agreement whose end date has been reached', () => {
    given(ctx, ...active)
      .when(story.expire('2022-12-30'))
      .thenRejected('END_DATE_NOT_REACHED');
    const openEnded = storyOf({
      proposer: kiel,
      partner: stalingrad,
      terms: terms({ startDate: date('2020-01-01') }),
    });
    given(
      openEnded.bothRepresented,
      openEnded.propose('2019-01-10'),
      openEnded.accept('proposer', '2019-02-01'),
      openEnded.accept('partner', '2019-02-03'),
      openEnded.sign('proposer', '2019-04-01'),
      openEnded.sign('partner', '2019-04-20'),
      openEnded.activate('proposer', '2020-01-01'),
    )
      .when(openEnded.expire('2099-01-01'))
      .thenRejected('NOT_FIXED_TERM');
  });

  it.each([
    ['expiry', story.expire('2023-01-01')],
    ['termination', story.terminate('proposer', '2021-01-01')],
  ])('no %s before the agreement is in force', (_act, command) => {
    given(ctx, ...signed)
      .when(command)
      .thenRejected('NOT_IN_FORCE');
  });
});

describe('nothing happens after an end state', () => {
  const everyCommand: Command[] = [
    story.propose('2023-01-01'),
    story.counterPropose('partner', '2023-01-01', fixedTerm),
    story.accept('partner', '2023-01-01'),
    story.approve('proposer', '2023-01-01'),
    story.sign('partner', '2023-01-01'),
    story.activate('proposer', '2023-01-01'),
    story.suspend('proposer', '2023-01-01'),
    story.reinstate('proposer', '2023-01-01'),
    story.renew('proposer', '2023-01-01', '2030-01-01'),
    story.terminate('proposer', '2023-01-01'),
    story.withdraw('2023-01-01'),
    story.decline('2023-01-01'),
    story.expire('2023-01-01'),
  ];
  const ends = [
    ['withdrawn', [...proposed, story.withdraw('2019-01-20')]],
    ['declined', [...negotiated, story.decline('2019-02-20')]],
    ['expired', [...active, story.expire('2022-12-31')]],
    ['terminated', [...suspended, story.terminate('proposer', '2021-06-01')]],
  ] as const;

  it.each(ends)('a %s agreement refuses every command and offers none', (_end, history) => {
    for (const command of everyCommand) {
      const error = given(ctx, ...history)
        .when(command)
        .thenRejected('AGREEMENT_ENDED');
      expect(error.allowedCommands).toEqual([]);
    }
  });
});

describe('bad input gives a typed error, not a crash', () => {
  it.each([
    ['an impossible date', { ...story.accept('partner', '2019-02-03'), acceptedOn: '2019-02-30' }],
    ['a missing field', { ...story.sign('partner', '2019-04-01'), place: undefined }],
    [
      'a cooperation without an end date',
      story.propose('2019-01-10', { terms: { ...fixedTerm, endDate: undefined } }),
    ],
    [
      'an end date before the start',
      story.propose('2019-01-10', { terms: { ...fixedTerm, endDate: date('2019-01-01') } }),
    ],
    [
      'an unknown role',
      { ...story.withdraw('2019-05-01'), actor: { subject: 'x', role: 'mayor' } },
    ],
    ['an unknown command', { type: 'TwinEverything' }],
    [
      // A misspelt optional field must not silently yield an open-ended agreement.
      'a misspelt field inside the terms',
      { ...story.propose('2019-01-10'), terms: { ...fixedTerm, enddate: '2030-01-01' } },
    ],
    [
      'an unknown field on a party',
      { ...story.propose('2019-01-10'), partner: { ...kiel, mayor: 'someone' } },
    ],
    [
      'an unknown field on the signatory',
      story.sign('proposer', '2019-04-01', {
        signatory: { name: 'Lord Mayor', title: 'Lord Mayor', rank: 1 } as never,
      }),
    ],
  ])('%s', (_case, command) => {
    const error = given(ctx, ...proposed)
      .when(command as unknown as Command)
      .thenRejected('INVALID_COMMAND');
    expect(error.issues?.length).toBeGreaterThan(0);
  });
});
