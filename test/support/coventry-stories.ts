/** Request bodies for the real twinnings the tests replay (see docs: Coventry's partnerships). */

export const coventry = {
  cityId: 'gb-coventry',
  name: 'Coventry',
  country: 'GB',
  councilApprovalRequired: true,
};
/** Stalingrad in 1944, Volgograd since 1961: one city, one id. It has no clerks in the system. */
export const stalingrad = {
  cityId: 'ru-volgograd',
  name: 'Stalingrad',
  country: 'RU',
  councilApprovalRequired: false,
};
export const dresden = {
  cityId: 'de-dresden',
  name: 'Dresden',
  country: 'DE',
  councilApprovalRequired: true,
};

export const stalingradProposal = {
  proposer: coventry,
  partner: stalingrad,
  terms: {
    title: 'Coventry and Stalingrad',
    purpose: 'Solidarity between two cities devastated by the war',
    areasOfExchange: ['culture', 'humanitarian'],
    kind: 'sister_city',
    startDate: '1944-07-01',
  },
  proposedOn: '1944-01-20',
};

export const dresdenProposal = {
  proposer: coventry,
  partner: dresden,
  terms: {
    title: 'Coventry and Dresden',
    purpose: 'Reconciliation and friendship between two cities rebuilt after the war',
    areasOfExchange: ['culture', 'youth', 'heritage'],
    kind: 'sister_city',
    startDate: '1959-01-01',
  },
  proposedOn: '1956-03-01',
};

export const evidenceFromVolgograd = (what: string) => ({
  evidence: { reference: `Letter from the Stalingrad city soviet: ${what}` },
});
