import { decide, evolve, initialState, type AgreementEvent, type Command } from '@twinning/domain';
import { coventry, date, dresden, storyOf, terms } from '@twinning/domain/testing';
import { describe, expect, it } from 'vitest';
import {
  SummaryMismatchError,
  summariseAgreement,
  type AgreementSummary,
} from './agreement-summary.js';
import { InvalidCursorError, decodeCursor, encodeCursor } from './cursor.js';
import { foldForSearch, prefixQueryOf } from './search-text.js';

const story = storyOf({
  proposer: coventry,
  partner: dresden,
  terms: terms({ title: 'Coventry and Dresden', startDate: date('1959-01-01') }),
});
const context = story.bothRepresented;

/** The events the lifecycle decides for these commands, in order. */
const eventsOf = (commands: readonly Command[]): AgreementEvent[] => {
  let state = initialState;
  const events: AgreementEvent[] = [];
  for (const command of commands) {
    const decision = decide(command, state, context);
    if (!decision.ok) throw new Error(`${command.type}: ${decision.error.message}`);
    for (const event of decision.value) {
      state = evolve(state, event);
      events.push(event);
    }
  }
  return events;
};

const summaryOf = (events: readonly AgreementEvent[]): AgreementSummary | null =>
  events.reduce<AgreementSummary | null>(
    (summary, event, index) =>
      summariseAgreement(summary, event, {
        position: BigInt(100 + index),
        revision: BigInt(index),
        businessDate: date('1956-01-01'),
      }),
    null,
  );

describe('agreement summary', () => {
  it('follows the lifecycle, recording dates and who has approved and signed', () => {
    const summary = summaryOf(
      eventsOf([
        story.propose('1956-03-01'),
        story.accept('proposer', '1956-04-01'),
        story.accept('partner', '1956-04-02'),
        story.approve('proposer', '1956-05-01'),
        story.approve('partner', '1956-05-02'),
        story.sign('proposer', '1956-06-15'),
      ]),
    );
    expect(summary).toMatchObject({
      state: 'partially_signed',
      agreedOn: '1956-04-02',
      proposer: { accepted: true, councilApproved: true, signed: true },
      partner: { accepted: true, councilApproved: true, signed: false },
      lastPosition: 106n,
      lastRevision: 6n,
    });
  });

  it('forgets acceptances, approvals and signatures when terms are counter-proposed', () => {
    const summary = summaryOf(
      eventsOf([
        story.propose('1956-03-01'),
        story.accept('proposer', '1956-04-01'),
        story.accept('partner', '1956-04-02'),
        story.approve('proposer', '1956-05-01'),
        story.counterPropose(
          'partner',
          '1956-05-10',
          terms({ title: 'Dresden and Coventry', startDate: date('1960-01-01') }),
        ),
      ]),
    );
    expect(summary).toMatchObject({
      state: 'proposed',
      title: 'Dresden and Coventry',
      termsVersion: 2,
      startDate: '1960-01-01',
      agreedOn: null,
      proposer: { accepted: false, councilApproved: false, signed: false },
    });
  });

  it('refuses a stream that does not start with a proposal', () => {
    const [proposed, accepted] = eventsOf([
      story.propose('1956-03-01'),
      story.accept('proposer', '1956-04-01'),
    ]);
    const place = { position: 1n, revision: 0n, businessDate: date('1956-01-01') };
    expect(() => summariseAgreement(null, accepted!, place)).toThrow(SummaryMismatchError);
    const summary = summariseAgreement(null, proposed!, place);
    expect(() => summariseAgreement(summary, proposed!, place)).toThrow(SummaryMismatchError);
  });
});

describe('search text', () => {
  it('folds case, accents and letters without decomposition', () => {
    expect(foldForSearch('Saint-Étienne')).toBe('saint-etienne');
    expect(foldForSearch('Łódź Straße Ærø')).toBe('lodz strasse aero');
  });

  it('makes a prefix query of the words only, so no operator gets through', () => {
    expect(prefixQueryOf('Coventry  DRES')).toBe('coventry:* & dres:*');
    expect(prefixQueryOf("x' | !y:* & (z)")).toBe('x:* & y:* & z:*');
    expect(prefixQueryOf(' &!| ')).toBeUndefined();
  });
});

describe('cursors', () => {
  it('round-trip, and belong to their sort', () => {
    const cursor = encodeCursor({ sort: 'title', key: 'coventry', id: 'a' });
    expect(decodeCursor(cursor, 'title')).toEqual({ sort: 'title', key: 'coventry', id: 'a' });
    expect(() => decodeCursor(cursor, '-title')).toThrow(InvalidCursorError);
    expect(() => decodeCursor('%%%', 'title')).toThrow(InvalidCursorError);
    expect(() => decodeCursor(Buffer.from('{"sort":1}').toString('base64url'), 'title')).toThrow(
      InvalidCursorError,
    );
  });
});
