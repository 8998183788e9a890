import { describe, expect, it } from 'vitest';
import { foldEvents } from './evolve.js';
import { toAgreementView } from './agreement-view.js';
import { coventry, date, dresden, kiel, storyOf, terms } from './testing/agreement-story.js';
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
// Coventry's council must approve; Kiel's need not.
const approved = [...negotiated, story.approve('proposer', '2019-03-01')];
const partiallySigned = [...approved, story.sign('proposer', '2019-04-01')];
const signed = [...partiallySigned, story.sign('partner', '2019-04-20')];
const active = [...signed, story.activate('proposer', '2020-01-01')];
const suspended = [...active, story.suspend('proposer', '2021-03-01')];

const lifecycleOf = (state: Parameters<typeof toAgreementView>[0]) =>
  toAgreementView(state)?.lifecycleState;

describe('the agreement lifecycle, transition by transition', () => {
  it('a proposal opens negotiation on version 1 of the terms', () => {
    const [event] = given(ctx).when(story.propose('2019-01-10')).then('AgreementProposed');
    expect(event).toEqual({
      type: 'AgreementProposed',
      schemaVersion: 1,
      data: {
        agreementId: story.id,
        machineVersion: 1,
        proposer: coventry,
        partner: kiel,
        terms: { version: 1, ...fixedTerm },
        proposedOn: '2019-01-10',
      },
    });
    const view = toAgreementView(foldEvents([event!]));
    expect(view?.lifecycleState).toBe('proposed');
    expect(view?.terms.version).toBe(1);
  });

  it('one acceptance leaves the agreement proposed', () => {
    const when = given(ctx, ...proposed).when(story.accept('partner', '2019-02-03'));
    expect(when.then('TermsAccepted')[0]?.data).toEqual({
      party: 'partner',
      termsVersion: 1,
      acceptedOn: '2019-02-03',
    });
    expect(lifecycleOf(when.stateAfter())).toBe('proposed');
  });

  it('the second acceptance of the same version agrees the terms', () => {
    const when = given(ctx, ...proposed, story.accept('proposer', '2019-02-01')).when(
      story.accept('partner', '2019-02-03'),
    );
    const [, agreed] = when.then('TermsAccepted', 'TermsAgreed');
    expect(agreed?.data).toEqual({ termsVersion: 1, agreedOn: '2019-02-03' });
    expect(lifecycleOf(when.stateAfter())).toBe('negotiated');
  });

  it('a counter-proposal bumps the version and clears acceptances, approvals and signatures', () => {
    const when = given(ctx, ...partiallySigned).when(
      story.counterPropose('partner', '2019-04-05', terms({ ...fixedTerm, title: 'Revised' })),
    );
    const [event] = when.then('TermsCounterProposed');
    expect(event?.data).toMatchObject({
      party: 'partner',
      terms: { version: 2, title: 'Revised' },
    });
    const view = toAgreementView(when.stateAfter());
    expect(view?.lifecycleState).toBe('proposed');
    expect(view?.acceptances).toEqual({ proposer: null, partner: null });
    expect(view?.councilApprovals).toEqual({ proposer: null, partner: null });
    expect(view?.signatures).toEqual({ proposer: null, partner: null });
    expect(view?.termsHistory.map((entry) => [entry.terms.version, entry.proposedBy])).toEqual([
      [1, 'proposer'],
      [2, 'partner'],
    ]);
  });

  it('after a counter-proposal both parties accept the new version', () => {
    const revised = story.counterPropose('partner', '2019-04-05', fixedTerm);
    const when = given(
      ctx,
      ...negotiated,
      revised,
      story.accept('proposer', '2019-04-06', { version: 2 }),
    ).when(story.accept('partner', '2019-04-07', { version: 2 }));
    expect(when.then('TermsAccepted', 'TermsAgreed')[1]?.data).toEqual({
      termsVersion: 2,
      agreedOn: '2019-04-07',
    });
  });

  it('a council approval is recorded once terms are agreed', () => {
    const when = given(ctx, ...negotiated).when(
      story.approve('proposer', '2019-03-01', { resolution: 'CC/2019/17' }),
    );
    expect(when.then('CouncilApprovalRecorded')[0]?.data).toEqual({
      party: 'proposer',
      termsVersion: 1,
      resolutionReference: 'CC/2019/17',
      approvedOn: '2019-03-01',
    });
    expect(lifecycleOf(when.stateAfter())).toBe('negotiated');
  });

  it('the first signature makes it partially signed', () => {
    const when = given(ctx, ...approved).when(story.sign('proposer', '2019-04-01'));
    when.then('SignatureRecorded');
    expect(lifecycleOf(when.stateAfter())).toBe('partially_signed');
  });

  it('a council may approve between the two signatures', () => {
    const withDresden = storyOf({ proposer: coventry, partner: dresden });
    given(
      withDresden.bothRepresented,
      withDresden.propose('1956-01-01'),
      withDresden.accept('proposer', '1956-01-02'),
      withDresden.accept('partner', '1956-01-03'),
      withDresden.approve('proposer', '1956-02-01'),
      withDresden.sign('proposer', '1956-03-01'),
    )
      .when(withDresden.approve('partner', '1956-03-10'))
      .then('CouncilApprovalRecorded');
  });

  it('the second signature signs the agreement, dated by the later signature', () => {
    const when = given(ctx, ...partiallySigned).when(story.sign('partner', '2019-04-20'));
    expect(when.then('SignatureRecorded', 'AgreementSigned')[1]?.data).toEqual({
      termsVersion: 1,
      signedOn: '2019-04-20',
    });
    const view = toAgreementView(when.stateAfter());
    expect(view?.lifecycleState).toBe('signed');
    expect(view?.dates.signedOn).toBe('2019-04-20');
  });

  it('a signature made earlier can be recorded later, and the later signature dates the signing', () => {
    const when = given(ctx, ...partiallySigned).when(story.sign('partner', '2019-03-15'));
    expect(when.then('SignatureRecorded', 'AgreementSigned')[1]?.data).toEqual({
      termsVersion: 1,
      signedOn: '2019-04-01',
    });
  });

  it('activation on the effective date makes it active', () => {
    const when = given(ctx, ...signed).when(story.activate('partner', '2020-01-01'));
    expect(when.then('AgreementActivated')[0]?.data).toEqual({
      party: 'partner',
      effectiveOn: '2020-01-01',
    });
    const view = toAgreementView(when.stateAfter());
    expect(view?.lifecycleState).toBe('active');
    expect(view?.dates.activatedOn).toBe('2020-01-01');
  });

  it('an active agreement is suspended, and a suspended one reinstated', () => {
    const suspension = given(ctx, ...active).when(
      story.suspend('proposer', '2021-03-01', { reason: 'council vote', resolution: 'CC/2021/3' }),
    );
    expect(suspension.then('AgreementSuspended')[0]?.data).toEqual({
      party: 'proposer',
      reason: 'council vote',
      councilResolutionReference: 'CC/2021/3',
      suspendedOn: '2021-03-01',
    });
    expect(lifecycleOf(suspension.stateAfter())).toBe('suspended');

    const reinstatement = given(ctx, ...suspended).when(story.reinstate('partner', '2021-09-01'));
    reinstatement.then('AgreementReinstated');
    const view = toAgreementView(reinstatement.stateAfter());
    expect(view?.lifecycleState).toBe('active');
    expect(view?.suspension).toBeNull();
  });

  it('a fixed-term active agreement is renewed to a later end date', () => {
    const when = given(ctx, ...active).when(story.renew('partner', '2022-06-01', '2025-12-31'));
    expect(when.then('AgreementRenewed')[0]?.data).toEqual({
      party: 'partner',
      previousEndDate: '2022-12-31',
      newEndDate: '2025-12-31',
      renewedOn: '2022-06-01',
    });
    const view = toAgreementView(when.stateAfter());
    expect(view?.terms.endDate).toBe('2025-12-31');
    expect(view?.lifecycleState).toBe('active');
  });

  it.each([
    ['active', active],
    ['suspended', suspended],
  ])('a fixed-term agreement expires from %s once its end date is reached', (_from, history) => {
    const when = given(ctx, ...history).when(story.expire('2022-12-31'));
    expect(when.then('AgreementExpired')[0]?.data).toEqual({
      endDate: '2022-12-31',
      expiredOn: '2022-12-31',
    });
    const view = toAgreementView(when.stateAfter());
    expect(view?.lifecycleState).toBe('expired');
    expect(view?.ended).toBe(true);
  });

  it.each([
    ['active', active],
    ['suspended', suspended],
  ])('an agreement is terminated from %s', (_from, history) => {
    const when = given(ctx, ...history).when(
      story.terminate('partner', '2021-06-01', { reason: 'project over' }),
    );
    when.then('AgreementTerminated');
    const view = toAgreementView(when.stateAfter());
    expect(view?.lifecycleState).toBe('terminated');
    expect(view?.ending).toEqual({
      how: 'terminated',
      on: '2021-06-01',
      party: 'partner',
      reason: 'project over',
    });
  });

  it.each([
    ['proposed', proposed],
    ['negotiated', negotiated],
    ['partially signed', partiallySigned],
  ])('the proposer withdraws a %s proposal', (_from, history) => {
    const when = given(ctx, ...history).when(story.withdraw('2019-05-01'));
    when.then('ProposalWithdrawn');
    expect(lifecycleOf(when.stateAfter())).toBe('withdrawn');
  });

  it.each([
    ['proposed', proposed],
    ['negotiated', negotiated],
    ['partially signed', partiallySigned],
  ])('the partner declines a %s proposal', (_from, history) => {
    const when = given(ctx, ...history).when(story.decline('2019-05-01', { reason: 'no budget' }));
    when.then('ProposalDeclined');
    const view = toAgreementView(when.stateAfter());
    expect(view?.lifecycleState).toBe('declined');
    expect(view?.ending).toEqual({
      how: 'declined',
      on: '2019-05-01',
      party: 'partner',
      reason: 'no budget',
    });
  });
});
