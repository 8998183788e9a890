import { describe, expect, it } from 'vitest';
import { nestFields } from './form-values';
import { initialProposalValues, proposalBodyOf, validateProposal } from './proposal-form';

const filled = {
  ...initialProposalValues({ cityId: 'gb-coventry', name: 'Coventry', country: 'GB' }),
  'partner.cityId': 'de-dresden',
  'partner.name': 'Dresden',
  'partner.country': 'DE',
  'partner.councilApprovalRequired': true,
  'terms.title': 'Coventry and Dresden',
  'terms.purpose': 'Reconciliation and friendship',
  'terms.areasOfExchange': ['culture', 'youth'],
  'terms.startDate': '1959-01-01',
  proposedOn: '1956-03-01',
};

describe('the proposal form', () => {
  it('sends a proposal as POST /agreements takes it', () => {
    expect(validateProposal(filled)).toEqual({});
    expect(proposalBodyOf(filled)).toEqual({
      proposer: {
        cityId: 'gb-coventry',
        name: 'Coventry',
        country: 'GB',
        councilApprovalRequired: false,
      },
      partner: {
        cityId: 'de-dresden',
        name: 'Dresden',
        country: 'DE',
        councilApprovalRequired: true,
      },
      terms: {
        title: 'Coventry and Dresden',
        purpose: 'Reconciliation and friendship',
        areasOfExchange: ['culture', 'youth'],
        kind: 'sister_city',
        startDate: '1959-01-01',
      },
      proposedOn: '1956-03-01',
    });
  });

  it('names every field that is wrong', () => {
    expect(validateProposal(initialProposalValues(null))).toEqual({
      'proposer.cityId': 'validation.required',
      'proposer.name': 'validation.required',
      'proposer.country': 'validation.required',
      'partner.cityId': 'validation.required',
      'partner.name': 'validation.required',
      'partner.country': 'validation.required',
      'terms.title': 'validation.required',
      'terms.purpose': 'validation.required',
      'terms.areasOfExchange': 'validation.areas',
      'terms.startDate': 'validation.required',
    });
    expect(
      validateProposal({
        ...filled,
        'partner.cityId': 'Dresden',
        'partner.country': 'de',
        proposedOn: '1956-02-30',
      }),
    ).toEqual({
      'partner.cityId': 'validation.cityId',
      'partner.country': 'validation.country',
      proposedOn: 'validation.date',
    });
  });

  it('refuses a city twinning with itself', () => {
    expect(validateProposal({ ...filled, 'partner.cityId': 'gb-coventry' })).toEqual({
      'partner.cityId': 'validation.sameCity',
    });
  });
});

describe('nesting field names', () => {
  it('turns dotted names into objects', () => {
    expect(nestFields({ 'a.b.c': 1, 'a.d': 2, e: 3 })).toEqual({ a: { b: { c: 1 }, d: 2 }, e: 3 });
  });
});
