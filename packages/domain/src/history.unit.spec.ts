import { describe, expect, it } from 'vitest';
import { allowedCommands } from './allowed-commands.js';
import { toAgreementView } from './agreement-view.js';
import { foldEvents } from './evolve.js';
import {
  clerkOf,
  coventry,
  date,
  dresden,
  stalingrad,
  storyOf,
  terms,
} from './testing/agreement-story.js';
import { decideAll, given } from './testing/given-when-then.js';

/**
 * The first twinnings, told as the system would record them. Years are historical; days, resolution
 * references and evidence references are illustrative.
 */

describe('Coventry and Stalingrad (1944), suspended by Coventry in 2022', () => {
  const twinning = storyOf({
    proposer: coventry,
    partner: stalingrad,
    terms: terms({
      title: 'Twinning of Coventry and Stalingrad',
      purpose:
        'Solidarity between two cities devastated by war, and friendship between their peoples',
      areasOfExchange: ['humanitarian', 'culture', 'education'],
      kind: 'sister_city',
      startDate: date('1944-07-01'),
    }),
  });
  // Stalingrad (now Volgograd) has no clerks in the system: Coventry's clerks record its acts,
  // each with a reference to the document that proves it.
  const onlyCoventryHasClerks = twinning.onlyProposerRepresented;
  const forStalingrad = (reference: string) => ({ by: clerkOf(coventry), evidence: { reference } });

  const history = [
    twinning.propose('1944-01-20'),
    twinning.accept('proposer', '1944-02-01'),
    twinning.accept(
      'partner',
      '1944-03-15',
      forStalingrad('Coventry archives: reply of the Stalingrad city soviet'),
    ),
    twinning.approve('proposer', '1944-04-04', {
      resolution: 'Coventry City Council minute 1944/112',
    }),
    twinning.sign('proposer', '1944-05-10', {
      signatory: { name: 'Lord Mayor of Coventry', title: 'Lord Mayor' },
      place: 'Coventry',
    }),
    twinning.sign('partner', '1944-06-02', {
      ...forStalingrad('Coventry archives: signed copy returned from Stalingrad'),
      signatory: { name: 'Chairman of the Stalingrad city soviet', title: 'Chairman' },
      place: 'Stalingrad',
    }),
    twinning.activate('proposer', '1944-07-01'),
  ];

  it('is proposed, agreed, approved by Coventry, signed in both cities and made active', () => {
    const { state, events } = decideAll(history, onlyCoventryHasClerks);
    expect(events.map((event) => event.type)).toEqual([
      'AgreementProposed',
      'TermsAccepted',
      'TermsAccepted',
      'TermsAgreed',
      'CouncilApprovalRecorded',
      'SignatureRecorded',
      'SignatureRecorded',
      'AgreementSigned',
      'AgreementActivated',
    ]);
    const view = toAgreementView(state);
    expect(view).toMatchObject({
      lifecycleState: 'active',
      ended: false,
      proposer: { cityId: 'gb-coventry' },
      partner: { cityId: 'ru-volgograd', name: 'Stalingrad', country: 'RU' },
      dates: {
        proposedOn: '1944-01-20',
        agreedOn: '1944-03-15',
        signedOn: '1944-06-02',
        activatedOn: '1944-07-01',
      },
    });
    expect(view?.signatures.partner?.evidence?.reference).toContain('Stalingrad');
  });

  it("Coventry's council suspends it in 2022, explicitly not for good", () => {
    const suspension = twinning.suspend('proposer', '2022-04-05', {
      reason: "Council vote after Russia's invasion of Ukraine; the link is suspended, not ended",
      resolution: 'Coventry City Council resolution 2022/04',
    });
    const when = given(onlyCoventryHasClerks, ...history).when(suspension);
    when.then('AgreementSuspended');

    const view = toAgreementView(when.stateAfter());
    expect(view?.lifecycleState).toBe('suspended');
    expect(view?.ended).toBe(false);
    expect(view?.suspension).toMatchObject({ party: 'proposer', suspendedOn: '2022-04-05' });
    // Suspension is not an end: the council may reinstate the link or end it later.
    expect(
      allowedCommands(when.stateAfter(), {
        actor: clerkOf(coventry),
        context: onlyCoventryHasClerks,
      }),
    ).toEqual(['ReinstateAgreement', 'TerminateAgreement']);
  });

  it('nobody but Coventry suspends it: Volgograd has no clerk to do so, and Coventry may not act for it', () => {
    given(onlyCoventryHasClerks, ...history)
      .when(twinning.suspend('partner', '2022-04-05', { by: clerkOf(coventry) }))
      .thenRejected('MAY_ACT_ONLY_FOR_OWN_PARTY');
  });
});

describe('Coventry and Dresden (1956)', () => {
  const twinning = storyOf({
    proposer: coventry,
    partner: dresden,
    terms: terms({
      title: 'Twinning of Coventry and Dresden',
      purpose: 'Reconciliation between two cities bombed in the war',
      areasOfExchange: ['culture', 'youth', 'heritage'],
      kind: 'sister_city',
      startDate: date('1956-09-01'),
    }),
  });
  const bothHaveClerks = twinning.bothRepresented;

  it('is negotiated over a counter-proposal, approved by both councils and signed at separate ceremonies', () => {
    const dresdensTerms = terms({
      title: 'Twinning of Coventry and Dresden',
      purpose: 'Reconciliation between two cities bombed in the war',
      areasOfExchange: ['culture', 'youth', 'heritage', 'education'],
      kind: 'sister_city',
      startDate: date('1956-09-01'),
    });
    const { state, events } = decideAll(
      [
        twinning.propose('1956-01-16'),
        twinning.accept('proposer', '1956-01-16'),
        twinning.counterPropose('partner', '1956-02-20', dresdensTerms),
        twinning.accept('partner', '1956-02-20', { version: 2 }),
        twinning.accept('proposer', '1956-03-05', { version: 2 }),
        twinning.approve('partner', '1956-04-11', {
          version: 2,
          resolution: 'Rat der Stadt Dresden 1956/41',
        }),
        twinning.approve('proposer', '1956-04-17', {
          version: 2,
          resolution: 'Coventry City Council 1956/88',
        }),
        twinning.sign('partner', '1956-06-01', { version: 2, place: 'Dresden' }),
        twinning.sign('proposer', '1956-07-12', { version: 2, place: 'Coventry' }),
        twinning.activate('partner', '1956-09-01'),
      ],
      bothHaveClerks,
    );
    expect(events.filter((event) => event.type === 'TermsAgreed')).toHaveLength(1);
    const view = toAgreementView(state);
    expect(view).toMatchObject({
      lifecycleState: 'active',
      terms: { version: 2, areasOfExchange: ['culture', 'youth', 'heritage', 'education'] },
      dates: { agreedOn: '1956-03-05', signedOn: '1956-07-12', activatedOn: '1956-09-01' },
    });
    expect(
      view?.termsHistory.map((entry) => `${entry.terms.version} by ${entry.proposedBy}`),
    ).toEqual(['1 by proposer', '2 by partner']);
    expect(foldEvents(events)).toEqual(state);
  });

  it("Coventry's clerk may not record Dresden's signature: Dresden has clerks of its own", () => {
    given(
      bothHaveClerks,
      twinning.propose('1956-01-16'),
      twinning.accept('proposer', '1956-01-16'),
      twinning.accept('partner', '1956-02-20'),
    )
      .when(
        twinning.sign('partner', '1956-06-01', {
          by: clerkOf(coventry),
          evidence: { reference: 'photo' },
        }),
      )
      .thenRejected('ACTING_FOR_REPRESENTED_PARTY');
  });
});
