import { describe, expect, it } from 'vitest';
import {
  COMMAND_FORMS,
  FORM_COMMANDS,
  commandBodyOf,
  initialCommandValues,
  validateCommandForm,
  visibleFields,
} from './command-forms';
import { isCityId, isIsoDate, isPositiveWholeNumber, isWebhookUrl } from './rules';

const terms = {
  title: 'Coventry and Dresden',
  purpose: 'Reconciliation',
  areasOfExchange: ['culture', 'youth'],
  kind: 'sister_city' as const,
  startDate: '1959-01-01',
};
const context = { termsVersion: 2, terms };

describe('single values, as the API checks them', () => {
  it('knows a real calendar date', () => {
    expect(isIsoDate('1956-02-29')).toBe(true);
    expect(isIsoDate('1957-02-29')).toBe(false);
    expect(isIsoDate('1956-13-01')).toBe(false);
    expect(isIsoDate('1/3/1956')).toBe(false);
  });

  it('knows city ids, versions and webhook addresses', () => {
    expect(isCityId('gb-coventry')).toBe(true);
    expect(isCityId('us-toledo-ohio')).toBe(true);
    expect(isCityId('GB-Coventry')).toBe(false);
    expect(isCityId('coventry')).toBe(false);
    expect(isPositiveWholeNumber('1')).toBe(true);
    expect(isPositiveWholeNumber('0')).toBe(false);
    expect(isPositiveWholeNumber('1.5')).toBe(false);
    expect(isWebhookUrl('https://hooks.example/twinning')).toBe(true);
    expect(isWebhookUrl('https://user:pw@hooks.example/')).toBe(false);
    expect(isWebhookUrl('ftp://hooks.example/')).toBe(false);
    expect(isWebhookUrl('hooks.example')).toBe(false);
  });
});

describe('the action forms', () => {
  it('have one form per command a clerk issues on an agreement', () => {
    for (const command of FORM_COMMANDS) expect(COMMAND_FORMS[command].command).toBe(command);
  });

  it('start from the current terms version, and an activation on the start date', () => {
    expect(initialCommandValues('AcceptTerms', context)).toEqual({
      party: 'own',
      'evidence.reference': '',
      termsVersion: '2',
      acceptedOn: '',
    });
    expect(initialCommandValues('ActivateAgreement', context)).toEqual({
      effectiveOn: '1959-01-01',
    });
    expect(initialCommandValues('CounterProposeTerms', context)['terms.title']).toBe(
      'Coventry and Dresden',
    );
  });

  it('send a signature as the API takes it, leaving the date to the API when empty', () => {
    const values = {
      ...initialCommandValues('RecordSignature', context),
      'signatory.name': ' Lord Mayor of Coventry ',
      'signatory.title': 'Lord Mayor',
      place: 'Coventry',
    };
    expect(validateCommandForm('RecordSignature', values)).toEqual({});
    expect(commandBodyOf('RecordSignature', values, 'proposer')).toEqual({
      termsVersion: 2,
      signatory: { name: 'Lord Mayor of Coventry', title: 'Lord Mayor' },
      place: 'Coventry',
    });
  });

  it('ask for evidence when the clerk records the other city’s act', () => {
    const values = { ...initialCommandValues('AcceptTerms', context), party: 'other' };
    expect(visibleFields('AcceptTerms', values).map((field) => field.name)).toContain(
      'evidence.reference',
    );
    expect(validateCommandForm('AcceptTerms', values)).toEqual({
      'evidence.reference': 'validation.evidence',
    });
    const withEvidence = { ...values, 'evidence.reference': 'Letter of 20 February 1944' };
    expect(commandBodyOf('AcceptTerms', withEvidence, 'proposer')).toEqual({
      party: 'partner',
      evidence: { reference: 'Letter of 20 February 1944' },
      termsVersion: 2,
    });
    expect(
      visibleFields('AcceptTerms', { ...withEvidence, party: 'own' }).map((field) => field.name),
    ).not.toContain('evidence.reference');
  });

  it('refuse what the API would refuse', () => {
    expect(
      validateCommandForm('RecordSignature', {
        ...initialCommandValues('RecordSignature', context),
        termsVersion: '0',
        signedOn: '1956-06-31',
      }),
    ).toEqual({
      termsVersion: 'validation.positiveWhole',
      'signatory.name': 'validation.required',
      'signatory.title': 'validation.required',
      place: 'validation.required',
      signedOn: 'validation.date',
    });
    expect(validateCommandForm('DeclineProposal', { reason: ' ', declinedOn: '' })).toEqual({
      reason: 'validation.required',
    });
    expect(validateCommandForm('WithdrawProposal', { reason: '', withdrawnOn: '' })).toEqual({});
    expect(validateCommandForm('RenewAgreement', { newEndDate: '', renewedOn: '' })).toEqual({
      newEndDate: 'validation.required',
    });
  });

  it('check counter-proposed terms by the domain’s rules', () => {
    const values = {
      ...initialCommandValues('CounterProposeTerms', context),
      'terms.kind': 'cooperation',
      'terms.areasOfExchange': [],
    };
    expect(validateCommandForm('CounterProposeTerms', values)).toEqual({
      'terms.areasOfExchange': 'validation.areas',
      'terms.endDate': 'validation.endDateRequired',
    });
    const fixed = {
      ...values,
      'terms.areasOfExchange': ['education'],
      'terms.endDate': '1958-12-31',
    };
    expect(validateCommandForm('CounterProposeTerms', fixed)).toEqual({
      'terms.endDate': 'validation.endAfterStart',
    });
    expect(
      commandBodyOf('CounterProposeTerms', { ...fixed, 'terms.endDate': '1964-12-31' }, 'partner'),
    ).toEqual({
      terms: {
        ...terms,
        kind: 'cooperation',
        areasOfExchange: ['education'],
        endDate: '1964-12-31',
      },
    });
  });
});
