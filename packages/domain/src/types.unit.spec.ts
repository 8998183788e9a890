import { describe, expectTypeOf, it } from 'vitest';
import type { AcceptTerms, Command, RecordSignature } from './commands.js';
import type { DomainError, RejectionReason } from './domain-error.js';
import type { AgreementEvent, AgreementSigned } from './events.js';
import { decide } from './decide.js';
import { toAgreementStreamId, type AgreementId, type CityId, type IsoDate } from './ids.js';
import { initialState } from './agreement-state.js';
import type { Result } from './result.js';
import { clerkOf, coventry, date, storyOf } from './testing/agreement-story.js';

/** These tests pass at compile time: `tsc -b` fails if a line marked `@ts-expect-error` compiles. */

const story = storyOf({ proposer: coventry, partner: coventry });
const context = story.bothRepresented;

describe('types', () => {
  it('a command without its required fields does not compile', () => {
    const { signedOn: _signedOn, ...unsigned } = story.sign('proposer', '1944-05-10');
    // @ts-expect-error signedOn is required
    const signature: RecordSignature = unsigned;
    // @ts-expect-error a command without a type is no command
    decide({ agreementId: story.id, actor: clerkOf(coventry) }, initialState, context);
    expectTypeOf(signature).toEqualTypeOf<RecordSignature>();
  });

  it('dates and ids are branded: a plain string is not one', () => {
    const acceptance: AcceptTerms = story.accept('partner', '1944-03-15');
    // @ts-expect-error a plain string is not an IsoDate
    const _unparsedDate: AcceptTerms = { ...acceptance, acceptedOn: '1944-03-15' };
    // @ts-expect-error a plain string is not a CityId
    const _city: CityId = 'gb-coventry';
    // @ts-expect-error a plain string is not an AgreementId
    toAgreementStreamId('3d6f0a52-8c1e-4b7a-9f2d-1e5c7b9a0d34');
    expectTypeOf(date('1944-03-15')).toEqualTypeOf<IsoDate>();
    expectTypeOf(story.id).toEqualTypeOf<AgreementId>();
  });

  it('the party and the role are closed sets', () => {
    const acceptance: AcceptTerms = story.accept('partner', '1944-03-15');
    // @ts-expect-error only proposer and partner are parties
    const _mayor: AcceptTerms = { ...acceptance, party: 'mayor' };
    // @ts-expect-error no such role
    const _judge: Command = { ...acceptance, actor: { subject: 'j', role: 'judge' } };
  });

  it('events are a discriminated union pinned to their schema version', () => {
    const signed: AgreementSigned = {
      type: 'AgreementSigned',
      schemaVersion: 1,
      data: { termsVersion: 1, signedOn: date('1944-06-02') },
    };
    // @ts-expect-error schema version 2 does not exist
    const _future: AgreementEvent = { ...signed, schemaVersion: 2 };
    // @ts-expect-error AgreementSigned carries no party
    const _withParty: AgreementSigned = { ...signed, data: { ...signed.data, party: 'proposer' } };
  });

  it('decide answers a Result of events or a domain error with a known reason', () => {
    expectTypeOf(decide).returns.toEqualTypeOf<Result<readonly AgreementEvent[], DomainError>>();
    // @ts-expect-error not a rejection reason
    const _reason: RejectionReason = 'BECAUSE';
  });
});
