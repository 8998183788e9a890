import { describe, expect, it } from 'vitest';
import type { Actor } from './actor.js';
import { foldEvents } from './evolve.js';
import { toAgreementView } from './agreement-view.js';
import {
  auditor,
  clerkOf,
  coventry,
  date,
  dresden,
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
const bothRepresented = story.bothRepresented;
/** Kiel has no clerks in the system: Coventry's clerks record its acts, with evidence. */
const kielUnrepresented = story.onlyProposerRepresented;
const coventryClerk = clerkOf(coventry);
const letterFromKiel = { reference: 'Letter from the Oberbürgermeister of Kiel, ref. K/1947/12' };

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

describe('only clerks act, and the system only expires', () => {
  const admin: Actor = {
    subject: 'admin@example.org',
    role: 'admin',
    municipality: coventry.cityId,
  };
  it.each([
    ['an auditor', auditor],
    ['an admin', admin],
    ['the system', expiryReactor],
  ])('%s may not propose', (_who, actor) => {
    given(bothRepresented)
      .when(story.propose('2019-01-10', { by: actor }))
      .thenRejected('ROLE_MAY_NOT_ACT');
  });

  it('a clerk may not expire an agreement', () => {
    given(bothRepresented, ...active)
      .when(story.expire('2022-12-31', { by: coventryClerk }))
      .thenRejected('ROLE_MAY_NOT_ACT');
  });
});

describe('a clerk acts for the party of their own municipality', () => {
  it('a clerk of neither city is not a party', () => {
    given(bothRepresented, ...proposed)
      .when(
        story.accept('partner', '2019-02-03', { by: clerkOf(dresden), evidence: letterFromKiel }),
      )
      .thenRejected('NOT_A_PARTY');
  });

  it('a clerk with no municipality is not a party', () => {
    const homeless: Actor = { subject: 'clerk@nowhere', role: 'clerk' };
    given(bothRepresented, ...proposed)
      .when(story.withdraw('2019-02-01', { by: homeless }))
      .thenRejected('NOT_A_PARTY');
  });

  it("the partner's clerk does not make the proposer's proposal", () => {
    given(bothRepresented)
      .when(story.propose('2019-01-10', { by: clerkOf(kiel) }))
      .thenRejected('MAY_ACT_ONLY_FOR_OWN_PARTY');
  });

  it.each([
    [
      'counter-propose',
      story.counterPropose('partner', '2019-01-20', terms(), { by: coventryClerk }),
    ],
    ['withdraw', story.withdraw('2019-01-20', { by: clerkOf(kiel) })],
    ['decline', story.decline('2019-01-20', { by: coventryClerk })],
  ])('nobody may %s for the other party, even one without clerks', (_act, command) => {
    const reason =
      command.type === 'WithdrawProposal'
        ? 'ONLY_PROPOSER_MAY_WITHDRAW'
        : command.type === 'DeclineProposal'
          ? 'ONLY_PARTNER_MAY_DECLINE'
          : 'MAY_ACT_ONLY_FOR_OWN_PARTY';
    given(kielUnrepresented, ...proposed)
      .when(command)
      .thenRejected(reason);
  });

  it('nobody suspends for the other party, even one without clerks', () => {
    given(kielUnrepresented, ...active)
      .when(story.suspend('partner', '2021-01-01', { by: coventryClerk }))
      .thenRejected('MAY_ACT_ONLY_FOR_OWN_PARTY');
  });
});

describe("recording the other city's acts", () => {
  it('is refused when that city has clerks of its own', () => {
    given(bothRepresented, ...proposed)
      .when(story.accept('partner', '2019-02-03', { by: coventryClerk, evidence: letterFromKiel }))
      .thenRejected('ACTING_FOR_REPRESENTED_PARTY');
  });

  it('needs a reference to the evidence', () => {
    given(kielUnrepresented, ...proposed)
      .when(story.accept('partner', '2019-02-03', { by: coventryClerk }))
      .thenRejected('EVIDENCE_REQUIRED');
  });

  it("records the unrepresented city's acceptance, approval and signature with their evidence", () => {
    const onBehalf = { by: coventryClerk, evidence: letterFromKiel };
    const [accepted] = given(kielUnrepresented, ...proposed, story.accept('proposer', '2019-02-01'))
      .when(story.accept('partner', '2019-02-03', onBehalf))
      .then('TermsAccepted', 'TermsAgreed');
    expect(accepted?.data).toMatchObject({ party: 'partner', evidence: letterFromKiel });

    given(kielUnrepresented, ...negotiated)
      .when(story.approve('partner', '2019-03-01', onBehalf))
      .then('CouncilApprovalRecorded');

    const history = given(
      kielUnrepresented,
      ...negotiated,
      story.approve('proposer', '2019-03-01'),
      story.sign('proposer', '2019-04-01'),
    );
    const when = history.when(story.sign('partner', '2019-04-20', onBehalf));
    when.then('SignatureRecorded', 'AgreementSigned');
    expect(toAgreementView(when.stateAfter())?.signatures.partner?.evidence).toEqual(
      letterFromKiel,
    );
  });

  it('replays even after the city has since got clerks: authority is judged once, when deciding', () => {
    const { events } = given(
      kielUnrepresented,
      ...proposed,
      story.accept('proposer', '2019-02-01'),
      story.accept('partner', '2019-02-03', { by: coventryClerk, evidence: letterFromKiel }),
    );
    expect(toAgreementView(foldEvents(events))?.lifecycleState).toBe('negotiated');
  });
});
